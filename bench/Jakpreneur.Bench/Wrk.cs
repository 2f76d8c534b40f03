using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Jakpreneur.Bench;

internal sealed record LoadResult(string Endpoint, long LedgerRows, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors)
{
    public override string ToString() =>
        $"{LedgerRows,11:N0} rows  {Endpoint,-26} {RequestsPerSecond,10:F0} req/s  p50 {P50Ms,8:F3} ms  p99 {P99Ms,8:F3} ms  errors {Errors}";
}

/// <summary>wrk (Debian package) with concurrency 16 for a fixed duration; latency percentiles from --latency.</summary>
internal static partial class Wrk
{
    public static async Task<LoadResult> RunAsync(string url, int seconds, long rows, string name)
    {
        await RunWrkAsync(url, 2); // warm-up: JIT, connection pool, page cache
        var output = await RunWrkAsync(url, seconds);
        if (!output.Contains("Latency Distribution", StringComparison.Ordinal))
        {
            // No request finished inside the run: report it as failed rather than as zero latency.
            return new LoadResult(name, rows, 0, double.NaN, double.NaN, -1);
        }
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        errors += SocketErrors().Match(output) is { Success: true } s ? s.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        return new LoadResult(name, rows, rps, Percentile(output, "50%"), Percentile(output, "99%"), errors);
    }

    private static async Task<string> RunWrkAsync(string url, int seconds)
    {
        var info = new ProcessStartInfo("wrk", ["-t2", "-c16", $"-d{seconds}s", "--latency", "-H", $"X-Api-Key: {ApiProcess.Key}", url])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start: install the Debian package wrk");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static double Percentile(string output, string label)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(label)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
