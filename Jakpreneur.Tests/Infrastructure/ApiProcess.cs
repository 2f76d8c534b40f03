using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Jakpreneur.Tests.Infrastructure;

/// <summary>
/// The API as a separate operating-system process on a SQLite file and a loopback port, so tests
/// can kill it (SIGKILL) or stop it (SIGTERM) the way production processes die.
/// </summary>
public sealed partial class ApiProcess : IAsyncDisposable
{
    public const string AdminKey = "process-test-admin-key";

    private readonly Process _process;

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The API built next to this test assembly's configuration (Debug or Release).</summary>
    public static string ApiDll()
    {
        var testDirectory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        var configuration = testDirectory.Parent!.Name; // bin/<Configuration>/net10.0
        var root = testDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Jakpreneur.sln")))
        {
            root = root.Parent;
        }
        var dll = Path.Combine(root?.FullName ?? ".", "Jakpreneur.Api", "bin", configuration, "net10.0", "Jakpreneur.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Jakpreneur.Api first (dotnet build).", dll);
    }

    public static async Task<ApiProcess> StartAsync(string databasePath, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = ApiDll();
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["Database__Provider"] = "sqlite";
        info.Environment["Database__Path"] = databasePath;
        info.Environment["Auth__BootstrapAdminKey"] = AdminKey;
        info.Environment["RateLimiting__Enabled"] = "false";
        info.Environment["Jobs__InProcess"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The API process exited with {process.ExitCode} while starting.");
            }
            try
            {
                if ((await http.GetAsync(new Uri(api.BaseAddress, "/health/ready"))).StatusCode == HttpStatusCode.OK)
                {
                    return api;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        await api.DisposeAsync();
        throw new TimeoutException("The API process did not become ready in 90 s.");
    }

    public HttpClient Client(string? apiKey = AdminKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as an orchestrator stops a container; waits for the graceful exit.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, Sigterm);
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
