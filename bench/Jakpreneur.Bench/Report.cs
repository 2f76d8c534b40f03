using System.Globalization;
using System.Text;

namespace Jakpreneur.Bench;

internal static class Report
{
    public static string Render(BenchOptions options, IReadOnlyList<LoadResult> results, IngestResult ingest, long peakRssKb)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var s = new StringBuilder();
        s.AppendLine("# Jakpreneur API benchmark");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine(CultureInfo.InvariantCulture, $"- machine: {cpu}, {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB");
        s.AppendLine(CultureInfo.InvariantCulture, $"- load: wrk -t2 -c16 -d{options.Duration}s per endpoint after a 2 s warm-up; API in Release on SQLite (WAL, synchronous=FULL)");
        s.AppendLine("- data: synthetic national tree (514 kota, 7,196 kecamatan, 79,156 kelurahan under province code 00, plus DKI), one period, ledger loaded straight into SQLite and aggregates rebuilt with INSERT … SELECT … GROUP BY");
        s.AppendLine();
        s.AppendLine("| ledger rows | endpoint | req/s | p50 ms | p99 ms | errors |");
        s.AppendLine("|---:|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {r.LedgerRows:N0} | {r.Endpoint} | {r.RequestsPerSecond:F0} | {r.P50Ms:F3} | {r.P99Ms:F3} | {r.Errors} |");
        }
        s.AppendLine();
        s.AppendLine("## Ratios (targets in brackets)");
        s.AppendLine();
        foreach (var size in results.Select(r => r.LedgerRows).Distinct())
        {
            var floor = results.Single(r => r.LedgerRows == size && r.Endpoint.StartsWith("floor", StringComparison.Ordinal));
            foreach (var r in results.Where(r => r.LedgerRows == size && r != floor))
            {
                s.AppendLine(CultureInfo.InvariantCulture,
                    $"- {size:N0} rows, {r.Endpoint}: p99 / floor p99 = {r.P99Ms / floor.P99Ms:F2}{(r.Endpoint == "kota roll-up" ? " [≤ 3]" : "")}, req/s / floor req/s = {r.RequestsPerSecond / floor.RequestsPerSecond:F2}");
            }
        }
        var smallest = results.Min(r => r.LedgerRows);
        var largest = results.Max(r => r.LedgerRows);
        foreach (var endpoint in results.Select(r => r.Endpoint).Distinct().Where(e => !e.StartsWith("floor", StringComparison.Ordinal)))
        {
            var a = results.Single(r => r.LedgerRows == smallest && r.Endpoint == endpoint);
            var b = results.Single(r => r.LedgerRows == largest && r.Endpoint == endpoint);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"- {endpoint}: {largest:N0} / {smallest:N0} latency p50 = {b.P50Ms / a.P50Ms:F2}, p99 = {b.P99Ms / a.P99Ms:F2} [≤ 1.2]");
        }
        s.AppendLine(CultureInfo.InvariantCulture,
            $"- ingest: batch endpoint {ingest.ApiRowsPerSecond:F0} rows/s ({ingest.Rows:N0} rows in 5,000-row batches after {options.IngestWarmupBatches} warm-up batches, concurrency {options.IngestConcurrency}; the API used {ingest.ApiCores:F2} of {Environment.ProcessorCount} cores) / raw prepared ADO.NET insert {ingest.RawRowsPerSecond:F0} rows/s (API stopped) = {ingest.Ratio:F2} [≥ 0.5]");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"- ingest counted until the background fold had every row in achievement_daily ({ingest.FoldLagSeconds:F1} s after the last acknowledgement): {ingest.FoldedRowsPerSecond:F0} rows/s = {ingest.FoldedRowsPerSecond / ingest.RawRowsPerSecond:F2} of raw");
        s.AppendLine(CultureInfo.InvariantCulture, $"- peak RSS of the API: {peakRssKb / 1024.0:F0} MB [≤ 300]");
        return s.ToString();
    }
}
