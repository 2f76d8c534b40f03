using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Jakpreneur.Bench;

/// <summary>The Release API as its own process on 127.0.0.1, as production runs it.</summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    public const string Key = "bench-admin-key-not-a-secret";

    private readonly Process _process;

    private ApiProcess(Process process, string baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public string BaseAddress { get; }

    public static async Task<ApiProcess> StartAsync(string apiDll, string dbPath)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [apiDll])
        {
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Database__Path"] = dbPath;
        info.Environment["Auth__BootstrapAdminKey"] = Key;
        info.Environment["RateLimiting__Enabled"] = "false";
        info.Environment["Jobs__InProcess"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"api: {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, $"http://127.0.0.1:{port}");
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the API exited with {process.ExitCode}");
            }
            try
            {
                if ((await http.GetAsync($"{api.BaseAddress}/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return api;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the API did not become ready");
    }

    /// <summary>Peak resident set size (VmHWM) of the API process so far, in KiB.</summary>
    public long PeakRssKb()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>CPU time (user + system) the API process has used so far, in seconds.</summary>
    public double CpuSeconds()
    {
        // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks of 1/100 s, after the ")" ending the command name.
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
