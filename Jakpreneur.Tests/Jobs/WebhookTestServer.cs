using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Jakpreneur.Tests.Jobs;

public sealed record WebhookDelivery(string Path, string? IdempotencyKey, string? NotificationId, bool SignatureValid, string Body, int Status);

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (Kestrel) that checks the HMAC signature of every delivery
/// and answers 500 for the failures a test arranges per path.
/// </summary>
public sealed class WebhookTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _secret;

    private WebhookTestServer(WebApplication app, string secret)
    {
        _app = app;
        _secret = secret;
    }

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<WebhookDelivery> Deliveries { get; } = new();

    /// <summary>Path → failures still to answer (int.MaxValue: always fail).</summary>
    public ConcurrentDictionary<string, int> Failures { get; } = new();

    public static async Task<WebhookTestServer> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new WebhookTestServer(app, secret);
        app.Run(server.ReceiveAsync);
        await app.StartAsync();
        server.BaseUrl = app.Urls.First();
        return server;
    }

    public string Url(string path) => $"{BaseUrl}/{path}";

    /// <summary>How long the receiver takes to answer (a slow gateway).</summary>
    public TimeSpan Delay { get; set; }

    private int _started;

    /// <summary>Requests that have arrived, answered or not.</summary>
    public int Started => Volatile.Read(ref _started);

    private async Task ReceiveAsync(HttpContext context)
    {
        Interlocked.Increment(ref _started);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var path = context.Request.Path.Value!.TrimStart('/');
        // Verified independently of the product's signing code: HMAC-SHA256 of the raw body, lower-case hex.
        var expected = "sha256=" + Convert.ToHexStringLower(
            System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(_secret), body));
        var valid = context.Request.Headers["Jakpreneur-Signature"].ToString() == expected;
        var status = 200;
        if (Failures.TryGetValue(path, out var left) && left > 0)
        {
            Failures[path] = left == int.MaxValue ? left : left - 1;
            status = 500;
        }
        Deliveries.Enqueue(new WebhookDelivery(path, context.Request.Headers["Idempotency-Key"], context.Request.Headers["X-Jakpreneur-Notification"],
            valid, System.Text.Encoding.UTF8.GetString(body), status));
        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
