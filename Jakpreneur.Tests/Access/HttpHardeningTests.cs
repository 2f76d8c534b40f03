using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Jakpreneur.Tests.Access;

/// <summary>Security headers, Swagger's key box, default CORS, and logs free of keys (default configuration).</summary>
public sealed class HttpHardeningTests(string provider) : ApiTest(provider)
{
    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
        Assert.That(response.Headers.GetValues("X-Frame-Options"), Is.EqualTo(new[] { "DENY" }));
        Assert.That(response.Headers.GetValues("Referrer-Policy"), Is.EqualTo(new[] { "no-referrer" }));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("frame-ancestors 'none'"));
    }

    [Test]
    public async Task ApiAnswersCarrySecurityHeadersAndAreNotCached()
    {
        using var anonymous = App.ClientWithKey(null);

        var data = await Admin.GetAsync("/api/v1/sudin");
        var refused = await anonymous.GetAsync("/api/v1/sudin");
        var missing = await Admin.GetAsync("/api/v1/regions/99.99");

        foreach (var response in new[] { data, refused, missing })
        {
            AssertSecurityHeaders(response);
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True, $"{(int)response.StatusCode} lacks no-store");
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'none'"));
        }
    }

    [Test]
    public async Task HealthAndSwaggerCarrySecurityHeaders()
    {
        using var anonymous = App.ClientWithKey(null);

        var health = await anonymous.GetAsync("/health/live");
        var ui = await anonymous.GetAsync("/swagger/index.html");

        AssertSecurityHeaders(health);
        AssertSecurityHeaders(ui);
        Assert.That(ui.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // Swagger UI loads its own scripts and calls this API; nothing from elsewhere, no eval.
        var csp = ui.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("script-src 'self'").And.Contain("connect-src 'self'").And.Not.Contain("unsafe-eval"));
        Assert.That(await ui.Content.ReadAsStringAsync(), Does.Not.Contain("<script>").And.Not.Contain("src=\"http"));
    }

    [Test]
    public async Task SwaggerDocumentDeclaresTheApiKeyHeaderForEveryOperation()
    {
        using var anonymous = App.ClientWithKey(null);

        var document = await ReadJsonAsync(await anonymous.GetAsync("/swagger/v1/swagger.json"));

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("apiKey"));
        Assert.That(scheme.GetProperty("in").GetString(), Is.EqualTo("header"));
        Assert.That(scheme.GetProperty("name").GetString(), Is.EqualTo("X-Api-Key"));
        // A document-wide requirement: Swagger UI sends the key typed into Authorize with every request.
        var requirements = document.GetProperty("security").EnumerateArray().ToArray();
        Assert.That(requirements.Any(r => r.TryGetProperty("ApiKey", out _)), Is.True, document.GetProperty("security").ToString());
        Assert.That(document.GetProperty("paths").TryGetProperty("/api/v1/api-keys", out _), Is.True);
        Assert.That(document.GetProperty("paths").TryGetProperty("/api/v1/audit", out _), Is.True);
    }

    [Test]
    public async Task WithoutConfiguredOriginsThereIsNoCors()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sudin");
        request.Headers.Add("Origin", "https://dashboard.jakarta.go.id");

        var response = await Admin.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
    }

    [Test]
    public async Task HttpLoggingNeverWritesAnApiKey()
    {
        var logs = new CapturingLoggerProvider();
        await using var logged = App.WithWebHostBuilder(b => b
            .UseSetting("HttpLogging:Enabled", "true")
            .ConfigureLogging(l => l.AddProvider(logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace)));
        using var admin = logged.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", JakpreneurApp.AdminKey);

        var created = await ReadJsonAsync(await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "logged", role = "viewer" }));
        var key = created.GetProperty("key").GetString()!;
        using var viewer = logged.CreateClient();
        viewer.DefaultRequestHeaders.Add("X-Api-Key", key);
        await viewer.GetAsync("/api/v1/sudin");
        using var guesser = logged.CreateClient();
        guesser.DefaultRequestHeaders.Add("X-Api-Key", "jkp_0123456789ab_a-guessed-key-value");
        await guesser.GetAsync("/api/v1/sudin");

        var messages = logs.Messages.ToArray();
        Assert.That(messages.Any(m => m.Contains("X-Api-Key: [Redacted]")), Is.True, "HTTP logging ran and redacted the header");
        Assert.That(messages, Has.None.Contains(JakpreneurApp.AdminKey));
        Assert.That(messages, Has.None.Contains(key.Split('_')[2]));
        Assert.That(messages, Has.None.Contains("a-guessed-key-value"));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void Dispose()
        {
            // Nothing to release: messages stay readable after the host stops.
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue($"{formatter(state, exception)} {state} {exception}");
        }
    }
}
