using Dapper;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Regions;

/// <summary>
/// Loads the Kemendagri regions of DKI Jakarta (db/seed/wilayah-dki.csv) and the seven sudin.
/// Runs at every start-up and only inserts what is missing, so it is safe to repeat.
/// </summary>
public sealed class Seeder(Db db)
{
    public static IReadOnlyList<Region> ReadRegions()
    {
        var csv = MigrationRunner.ReadResource(typeof(Seeder).Assembly, "db/seed/wilayah-dki.csv");
        var lines = csv.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines[0].Trim() != "kode,nama,tingkat,kode_induk")
        {
            throw new InvalidDataException($"db/seed/wilayah-dki.csv has an unexpected header: {lines[0]}");
        }
        var rows = new List<Region>();
        foreach (var line in lines.Skip(1))
        {
            // The Kemendagri names carry no commas or quotes; refuse a seed that does rather than misread it.
            var f = line.Split(',');
            if (f.Length != 4 || line.Contains('"'))
            {
                throw new InvalidDataException($"db/seed/wilayah-dki.csv: cannot read line '{line}'.");
            }
            rows.Add(new Region(f[0], f[1], f[2], f[3].Length == 0 ? null : f[3]));
        }
        var byCode = rows.ToDictionary(r => r.Code);
        return rows.Select(r => r with
        {
            KotaCode = Ancestor(r, RegionLevel.Kota, byCode),
            KecamatanCode = Ancestor(r, RegionLevel.Kecamatan, byCode),
        }).ToList();
    }

    public async Task SeedAsync(CancellationToken ct = default)
    {
        var regions = ReadRegions();
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var existing = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT code FROM regions", transaction: tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        // Parents first: the CSV lists them before their children.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO regions (code, name, level, parent_code, kota_code, kecamatan_code)
            VALUES (@Code, @Name, @Level, @ParentCode, @KotaCode, @KecamatanCode)
            """,
            regions.Where(r => !existing.Contains(r.Code)), transaction: tx, cancellationToken: ct));
        var sudinExisting = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT code FROM sudin", transaction: tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sudin (code, name) VALUES (@Code, @Name)",
            Sudin.All.Where(s => !sudinExisting.Contains(s.Code)), transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    private static string? Ancestor(Region region, string level, Dictionary<string, Region> byCode)
    {
        for (var r = region; r is not null; r = r.ParentCode is null ? null : byCode.GetValueOrDefault(r.ParentCode))
        {
            if (r.Level == level)
            {
                return r.Code;
            }
        }
        return null;
    }
}
