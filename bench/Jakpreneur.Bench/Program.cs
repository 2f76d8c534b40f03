using System.Globalization;
using Dapper;
using Jakpreneur.Bench;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;
using Microsoft.Extensions.Logging.Abstractions;

// bench/run drives this: national data at 100k, 1M and 10M ledger rows, wrk against the Release
// API at each size, batch ingest against a raw insert, peak RSS, one table and results/latest.md.
var options = BenchOptions.Parse(args);
Directory.CreateDirectory(options.Work);
var dbPath = Path.Combine(options.Work, "bench.db");
if (!options.IngestOnly)
{
    foreach (var file in Directory.GetFiles(options.Work, "bench.db*"))
    {
        File.Delete(file);
    }
}
var db = new Db(DatabaseOptions.Sqlite, $"Data Source={dbPath}");
await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync();
await new Seeder(db).SeedAsync();
await NationalData.CreateRegionsAsync(db);
await using (var c = await db.OpenAsync())
{
    Console.WriteLine($"regions: {await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM regions WHERE level = 'kota'")} kota, " +
                      $"{await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM regions WHERE level = 'kecamatan'")} kecamatan, " +
                      $"{await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM regions WHERE level = 'kelurahan'")} kelurahan");
}

var kota = NationalData.KotaCode(7);
var endpoints = new (string Name, string Path)[]
{
    ("floor: GET /health/live", "/health/live"),
    ("kota roll-up", $"/api/v1/periods/{NationalData.Period}/rollup/{kota}"),
    ("province roll-up", $"/api/v1/periods/{NationalData.Period}/rollup"),
    ("kelurahan breakdown", $"/api/v1/periods/{NationalData.Period}/rollup/{kota}/kelurahan"),
    ("past asOf kota roll-up", $"/api/v1/periods/{NationalData.Period}/rollup/{kota}?asOf=2025-07-01"),
};
var results = new List<LoadResult>();
long peakRssKb = 0;
foreach (var size in options.IngestOnly ? [] : options.Sizes)
{
    var load = await NationalData.GrowLedgerAsync(db, size, seed: 42);
    Console.WriteLine($"ledger {size:N0} rows loaded in {load.TotalSeconds:F0} s");
    await using var api = await ApiProcess.StartAsync(options.ApiDll, dbPath);
    foreach (var (name, path) in endpoints)
    {
        var result = await Wrk.RunAsync(api.BaseAddress + path, options.Duration, size, name);
        Console.WriteLine(result);
        results.Add(result);
    }
    peakRssKb = Math.Max(peakRssKb, api.PeakRssKb());
}

// Ingest: the batch endpoint (concurrency 4, 5,000 rows a batch) against a raw prepared insert of the same rows.
// The raw insert runs once the API has stopped, so nothing of the API's (its background folding and
// checkpoints) shares the machine with it.
var ingestKota = NationalData.KotaCode(3);
var warmupRows = Ingest.Generate(options.IngestWarmupBatches, ingestKota, seed: 5, tag: "warmup");
var ingestRows = Ingest.Generate(options.IngestBatches, ingestKota, seed: 7, tag: "ingest");
(double RowsPerSecond, double Cores, double FoldLagSeconds) apiIngest;
await using (var api = await ApiProcess.StartAsync(options.ApiDll, dbPath))
{
    apiIngest = await Ingest.ApiAsync(api, db, warmupRows, ingestRows, options.IngestConcurrency);
    peakRssKb = Math.Max(peakRssKb, api.PeakRssKb());
}
var ingest = new IngestResult(ingestRows.Sum(b => b.Length), apiIngest.RowsPerSecond,
    await Ingest.RawAsync(db, warmupRows, ingestRows, ingestKota), apiIngest.Cores, apiIngest.FoldLagSeconds);
Console.WriteLine(ingest);
if (options.IngestOnly)
{
    Console.WriteLine($"peak RSS {peakRssKb / 1024} MB");
    return;
}

var report = Report.Render(options, results, ingest, peakRssKb);
Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
await File.WriteAllTextAsync(options.Output, report);
Console.WriteLine();
Console.WriteLine(report);

// --ingest-only reuses the database of an earlier run and measures ingest alone, without writing results: for iterating on ingest.
internal sealed record BenchOptions(
    string Work, long[] Sizes, int Duration, string ApiDll, string Output, int IngestBatches, int IngestWarmupBatches, bool IngestOnly, int IngestConcurrency)
{
    public static BenchOptions Parse(string[] args)
    {
        string Arg(string name, string fallback) =>
            args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        return new BenchOptions(
            Path.GetFullPath(Arg("--work", "bench/work")),
            Arg("--sizes", "100000,1000000,10000000").Split(',').Select(long.Parse).ToArray(),
            int.Parse(Arg("--duration", "10"), CultureInfo.InvariantCulture),
            Path.GetFullPath(Arg("--api", "Jakpreneur.Api/bin/Release/net10.0/Jakpreneur.Api.dll")),
            Path.GetFullPath(Arg("--out", "bench/results/latest.md")),
            int.Parse(Arg("--ingest-batches", "100"), CultureInfo.InvariantCulture),
            int.Parse(Arg("--ingest-warmup-batches", "20"), CultureInfo.InvariantCulture),
            args.Contains("--ingest-only"),
            int.Parse(Arg("--ingest-concurrency", "4"), CultureInfo.InvariantCulture));
    }
}
