using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;

namespace Jakpreneur.Bench;

/// <param name="FoldLagSeconds">How long after the last acknowledged batch the background fold had every row in achievement_daily.</param>
internal sealed record IngestResult(long Rows, double ApiRowsPerSecond, double RawRowsPerSecond, double ApiCores, double FoldLagSeconds)
{
    public double Ratio => ApiRowsPerSecond / RawRowsPerSecond;

    /// <summary>Rows per second counted until the background fold had caught up, not only until the last acknowledgement.</summary>
    public double FoldedRowsPerSecond => Rows / (Rows / ApiRowsPerSecond + FoldLagSeconds);

    public override string ToString() =>
        $"ingest {Rows:N0} rows: batch endpoint {ApiRowsPerSecond:F0} rows/s, raw insert {RawRowsPerSecond:F0} rows/s, ratio {Ratio:P0} (until folded: {FoldedRowsPerSecond:F0} rows/s, {FoldedRowsPerSecond / RawRowsPerSecond:P0})";
}

internal static class Ingest
{
    private const int BatchSize = 5000;

    /// <summary>
    /// POST /achievements/batch with <paramref name="concurrency"/> senders; rows per second and the
    /// cores the API used meanwhile. The request bodies are serialized before the clock starts, so the
    /// client's own JSON work does not take CPU from the API on a small machine. The
    /// <paramref name="warmup"/> batches go first, untimed, as wrk's warm-up does for the roll-ups:
    /// without them the window measures the JIT (tiered compilation took about a third of the API's
    /// CPU in a 40-batch run); then the clock starts once the background fold has caught up.
    /// </summary>
    public static async Task<(double RowsPerSecond, double Cores, double FoldLagSeconds)> ApiAsync(
        ApiProcess api, Db db, List<Row[]> warmup, List<Row[]> rows, int concurrency)
    {
        using var http = new HttpClient { BaseAddress = new Uri(api.BaseAddress), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiProcess.Key);
        var run = Guid.NewGuid().ToString("N")[..8];

        await PostAsync(http, Bodies(warmup), $"bench-{run}-warmup", concurrency);
        await WaitForFoldAsync(db);
        // Let tiered compilation finish promoting what the warm-up made hot.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var bodies = Bodies(rows);
        var cpuBefore = api.CpuSeconds();
        var watch = Stopwatch.StartNew();
        await PostAsync(http, bodies, $"bench-{run}", concurrency);
        var seconds = watch.Elapsed.TotalSeconds;
        var cpu = api.CpuSeconds() - cpuBefore;
        await WaitForFoldAsync(db);
        var foldLag = watch.Elapsed.TotalSeconds - seconds;
        Console.WriteLine($"ingest through the API: {seconds:F1} s, API CPU {cpu:F1} s ({cpu / seconds:F2} cores), every row folded {foldLag:F1} s later");
        return (rows.Sum(b => b.Length) / seconds, cpu / seconds, foldLag);
    }

    private static List<byte[]> Bodies(List<Row[]> batches) =>
        batches.Select(b => JsonSerializer.SerializeToUtf8Bytes(new { entries = b }, JsonOptions)).ToList();

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static async Task PostAsync(HttpClient http, List<byte[]> bodies, string keyPrefix, int concurrency)
    {
        var queue = new ConcurrentQueue<(int Index, byte[] Body)>(bodies.Select((b, i) => (i, b)));
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (queue.TryDequeue(out var batch))
            {
                using var content = new ByteArrayContent(batch.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements/batch") { Content = content };
                request.Headers.Add("Idempotency-Key", $"{keyPrefix}-{batch.Index}");
                using var response = await http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"batch {batch.Index}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
    }

    /// <summary>Waits until the API has folded every ledger row into achievement_daily, so the timed window starts with no backlog.</summary>
    private static async Task WaitForFoldAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        var deadline = Stopwatch.StartNew();
        while (await connection.ExecuteScalarAsync<long>(
                   "SELECT (SELECT COALESCE(MAX(id), 0) FROM achievements) - (SELECT last_id FROM aggregate_progress WHERE name = 'achievement_daily')") > 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new InvalidOperationException("The API has not folded the ledger into achievement_daily within 5 minutes.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The same rows, prepared and inserted into the same ledger table, one transaction per batch;
    /// rows per second. The warm-up batches go first, untimed, as for the API.
    /// </summary>
    public static async Task<double> RawAsync(Db db, List<Row[]> warmup, List<Row[]> rows, string kota)
    {
        await InsertAsync(db, warmup, kota);
        var watch = Stopwatch.StartNew();
        await InsertAsync(db, rows, kota);
        return rows.Sum(b => b.Length) / watch.Elapsed.TotalSeconds;
    }

    private static async Task InsertAsync(Db db, List<Row[]> rows, string kota)
    {
        await using var connection = await db.OpenAsync();
        foreach (var batch in rows)
        {
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText =
                """
                INSERT INTO achievements (period, kota, kecamatan, kelurahan, sudin, count, date, reference, note, recorded_at, key_id, reverses_id)
                VALUES ($period, $kota, $kecamatan, $kelurahan, $sudin, $count, $date, $reference, NULL, $recorded, 'raw', NULL)
                """;
            var p = new[] { "$period", "$kota", "$kecamatan", "$kelurahan", "$sudin", "$count", "$date", "$reference", "$recorded" }
                .Select(name => { var x = command.CreateParameter(); x.ParameterName = name; command.Parameters.Add(x); return x; }).ToArray();
            command.Prepare();
            foreach (var row in batch)
            {
                var kecamatan = row.Kelurahan[..^5];
                p[0].Value = row.Period; p[1].Value = kota; p[2].Value = kecamatan; p[3].Value = row.Kelurahan;
                p[4].Value = row.Sudin; p[5].Value = row.Count; p[6].Value = row.Date; p[7].Value = row.Reference;
                p[8].Value = Iso.Instant(DateTimeOffset.UtcNow);
                await command.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }
    }

    /// <summary>Batches of random rows in one kota; <paramref name="tag"/> keeps references of different sets apart.</summary>
    public static List<Row[]> Generate(int batches, string kota, int seed, string tag)
    {
        var random = new Random(seed);
        var days = NationalData.End.DayNumber - NationalData.Start.DayNumber + 1;
        return Enumerable.Range(0, batches).Select(b => Enumerable.Range(0, BatchSize).Select(i =>
        {
            var kecamatan = 1 + random.Next(NationalData.KecamatanPerKota);
            var kelurahan = 2001 + random.Next(NationalData.KelurahanPerKecamatan);
            return new Row(
                NationalData.Period,
                $"{kota}.{kecamatan:D2}.{kelurahan}",
                Sudin.All[random.Next(Sudin.All.Count)].Code,
                1 + random.Next(5),
                Iso.Date(NationalData.Start.AddDays(random.Next(days))),
                $"{tag}-{b}-{i}");
        }).ToArray()).ToList();
    }

    internal sealed record Row(string Period, string Kelurahan, string Sudin, int Count, string Date, string Reference);
}
