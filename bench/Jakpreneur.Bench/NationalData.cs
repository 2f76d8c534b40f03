using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;

namespace Jakpreneur.Bench;

/// <summary>
/// A synthetic national region tree and ledger, written straight into SQLite.
/// Codes live under province "00", which Kemendagri never assigns, so they cannot collide with DKI (31).
/// </summary>
internal static class NationalData
{
    public const string Period = "BENCH";
    public const int Kota = 514;
    public const int KecamatanPerKota = 14;   // 514 × 14 ≈ 7,200 kecamatan
    public const int KelurahanPerKecamatan = 11; // ≈ 79,000 kelurahan, plus DKI's 267
    public static readonly DateOnly Start = new(2025, 1, 1);
    public static readonly DateOnly End = new(2025, 12, 31);

    public static string KotaCode(int k) => $"00.{k:D3}";

    public static async Task CreateRegionsAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM regions WHERE code LIKE '00%'") > 0)
        {
            return;
        }
        await using var tx = await connection.BeginTransactionAsync();
        var rows = new List<Region> { new("00", "Synthetic Indonesia", RegionLevel.Provinsi, null) };
        for (var k = 0; k < Kota; k++)
        {
            var kota = KotaCode(k);
            rows.Add(new Region(kota, $"Kota Sintetis {k}", RegionLevel.Kota, "00", kota, null));
            for (var c = 1; c <= KecamatanPerKota; c++)
            {
                var kecamatan = $"{kota}.{c:D2}";
                rows.Add(new Region(kecamatan, $"Kecamatan {k}-{c}", RegionLevel.Kecamatan, kota, kota, kecamatan));
                for (var l = 1; l <= KelurahanPerKecamatan; l++)
                {
                    rows.Add(new Region($"{kecamatan}.{2000 + l}", $"Kelurahan {k}-{c}-{l}", RegionLevel.Kelurahan, kecamatan, kota, kecamatan));
                }
            }
        }
        await connection.ExecuteAsync(
            """
            INSERT INTO regions (code, name, level, parent_code, kota_code, kecamatan_code)
            VALUES (@Code, @Name, @Level, @ParentCode, @KotaCode, @KecamatanCode)
            """, rows, tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO periods (code, name, start_date, end_date, target_deadline, created_at, updated_at)
            VALUES (@Period, 'Benchmark period', @Start, @End, @End, '2025-01-01T00:00:00.0000000Z', '2025-01-01T00:00:00.0000000Z')
            """, new { Period, Start, End }, tx);
        var targets = Enumerable.Range(0, Kota).SelectMany(k => Sudin.All.Select(s => new { Period, Kota = KotaCode(k), Sudin = s.Code }));
        await connection.ExecuteAsync(
            """
            INSERT INTO targets (period, kota, sudin, target, version, updated_at, updated_by)
            VALUES (@Period, @Kota, @Sudin, 5000, 1, '2025-01-01T00:00:00.0000000Z', 'bench')
            """, targets, tx);
        await tx.CommitAsync();
    }

    /// <summary>Appends generated ledger rows until the ledger holds <paramref name="total"/> rows, then rebuilds the aggregates.</summary>
    public static async Task<TimeSpan> GrowLedgerAsync(Db db, long total, int seed)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
        var have = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM achievements");
        var kelurahan = (await connection.QueryAsync<(string Code, string Kota, string Kecamatan)>(
            "SELECT code, kota_code, kecamatan_code FROM regions WHERE level = 'kelurahan' AND code LIKE '00%' ORDER BY code")).ToArray();
        var random = new Random(seed);
        var days = End.DayNumber - Start.DayNumber + 1;
        const int chunk = 200_000;
        while (have < total)
        {
            var n = (int)Math.Min(chunk, total - have);
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText =
                """
                INSERT INTO achievements (period, kota, kecamatan, kelurahan, sudin, count, date, reference, note, recorded_at, key_id, reverses_id)
                VALUES ($period, $kota, $kecamatan, $kelurahan, $sudin, $count, $date, NULL, NULL, $recorded, 'bench', NULL)
                """;
            var p = new[] { "$period", "$kota", "$kecamatan", "$kelurahan", "$sudin", "$count", "$date", "$recorded" }
                .Select(name => { var x = command.CreateParameter(); x.ParameterName = name; command.Parameters.Add(x); return x; }).ToArray();
            command.Prepare();
            p[0].Value = Period;
            p[7].Value = "2025-06-01T00:00:00.0000000Z";
            for (var i = 0; i < n; i++)
            {
                var k = kelurahan[random.Next(kelurahan.Length)];
                p[1].Value = k.Kota;
                p[2].Value = k.Kecamatan;
                p[3].Value = k.Code;
                p[4].Value = Sudin.All[random.Next(Sudin.All.Count)].Code;
                p[5].Value = 1 + random.Next(5);
                p[6].Value = Iso.Date(Start.AddDays(random.Next(days)));
                await command.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
            have += n;
        }
        await RebuildAggregatesAsync(connection);
        await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;");
        return watch.Elapsed;
    }

    private static async Task RebuildAggregatesAsync(DbConnection connection)
    {
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            """
            DELETE FROM achievement_daily WHERE period = @Period;
            DELETE FROM achievement_totals WHERE period = @Period;
            INSERT INTO achievement_daily (period, kelurahan, sudin, date, kota, kecamatan, achieved)
            SELECT period, kelurahan, sudin, date, MIN(kota), MIN(kecamatan), SUM(count)
            FROM achievements WHERE period = @Period GROUP BY period, kelurahan, sudin, date;
            INSERT INTO achievement_totals (period, kelurahan, sudin, kota, kecamatan, achieved)
            SELECT period, kelurahan, sudin, MIN(kota), MIN(kecamatan), SUM(achieved)
            FROM achievement_daily WHERE period = @Period GROUP BY period, kelurahan, sudin;
            UPDATE aggregate_progress SET last_id = (SELECT COALESCE(MAX(id), 0) FROM achievements) WHERE name = 'achievement_daily';
            """, new { Period }, tx, commandTimeout: 3600);
        await tx.CommitAsync();
    }
}
