using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;

namespace Jakpreneur.Bench;

internal sealed record IngestResult(long Rows, double ApiRowsPerSecond, double RawRowsPerSecond, double ApiCores)
{
    public double Ratio => ApiRowsPerSecond / RawRowsPerSecond;

    public override string ToString() =>
        $"ingest {Rows:N0} rows: batch endpoint {ApiRowsPerSecond:F0} rows/s, raw insert {RawRowsPerSecond:F0} rows/s, ratio {Ratio:P0}";
}

internal static class Ingest
{
    private const int BatchSize = 5000;

    /// <summary>POST /achievements/batch with <paramref name="concurrency"/> senders; rows per second and the cores the API used meanwhile.</summary>
    public static async Task<(double RowsPerSecond, double Cores)> ApiAsync(ApiProcess api, List<Row[]> rows, int concurrency)
    {
        var queue = new ConcurrentQueue<(int Index, Row[] Rows)>(rows.Select((b, i) => (i, b)));
        using var http = new HttpClient { BaseAddress = new Uri(api.BaseAddress), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiProcess.Key);
        var run = Guid.NewGuid().ToString("N")[..8];

        var cpuBefore = api.CpuSeconds();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (queue.TryDequeue(out var batch))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements/batch")
                {
                    Content = JsonContent.Create(new { entries = batch.Rows }),
                };
                request.Headers.Add("Idempotency-Key", $"bench-{run}-{batch.Index}");
                using var response = await http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"batch {batch.Index}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        var cpu = api.CpuSeconds() - cpuBefore;
        Console.WriteLine($"ingest through the API: {seconds:F1} s, API CPU {cpu:F1} s ({cpu / seconds:F2} cores)");
        return (rows.Sum(b => b.Length) / seconds, cpu / seconds);
    }

    /// <summary>The same rows, prepared and inserted into the same ledger table, one transaction per batch; rows per second.</summary>
    public static async Task<double> RawAsync(Db db, List<Row[]> rows, string kota)
    {
        var watch = Stopwatch.StartNew();
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
        return rows.Sum(b => b.Length) / watch.Elapsed.TotalSeconds;
    }

    public static List<Row[]> Generate(int batches, string kota)
    {
        var random = new Random(7);
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
                $"ingest-{b}-{i}");
        }).ToArray()).ToList();
    }

    internal sealed record Row(string Period, string Kelurahan, string Sudin, int Count, string Date, string Reference);
}
