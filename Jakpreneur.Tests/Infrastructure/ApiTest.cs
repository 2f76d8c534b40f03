using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Infrastructure;

/// <summary>
/// Base of every HTTP test fixture: one API and one database per fixture, once per provider.
/// The SQL Server variant runs when JAKPRENEUR_TEST_SQLSERVER is set and is reported as skipped otherwise.
/// Tests never depend on each other's data: each makes its own period, campaign or key.
/// </summary>
[TestFixture(Providers.Sqlite)]
[TestFixture(Providers.SqlServer, Category = "SqlServer")]
public abstract class ApiTest(string provider)
{
    private TestDatabase? _database;
    private JakpreneurApp? _app;
    private HttpClient? _admin;

    protected JakpreneurApp App => _app ?? throw new InvalidOperationException("The fixture did not start.");

    protected FakeTimeProvider Time => App.Time;

    /// <summary>A client holding the bootstrap admin key.</summary>
    protected HttpClient Admin => _admin ??= App.ClientWithKey(JakpreneurApp.AdminKey);

    protected string Provider => provider;

    /// <summary>Extra configuration for this fixture's API.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    [OneTimeSetUp]
    public async Task StartApiAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new JakpreneurApp(_database, new FakeTimeProvider(FakeTimeProvider.DefaultStart), Settings);
        _ = _app.Server; // start now: migrations run here, not inside the first test
    }

    [OneTimeTearDown]
    public async Task StopApiAsync()
    {
        _admin?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>A fresh, unique code so tests never share rows.</summary>
    protected static string UniqueCode(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(32, prefix.Length + 13)];

    /// <summary>Creates a programme period covering the whole calendar year of the fake clock's start.</summary>
    protected async Task<string> NewPeriodAsync(int year = 2020, DateOnly? deadline = null)
    {
        var code = UniqueCode($"P{year}");
        var response = await Admin.PutAsJsonAsync($"/api/v1/periods/{code}", new
        {
            name = $"Jakpreneur {year}",
            startDate = $"{year}-01-01",
            endDate = $"{year}-12-31",
            targetDeadline = (deadline ?? new DateOnly(year, 12, 15)).ToString("yyyy-MM-dd"),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return code;
    }

    /// <summary>Issues an API key straight through the key store (the HTTP route is tested on its own).</summary>
    protected async Task<HttpClient> ClientForAsync(string role, string? kota = null, string? sudin = null, string? kelurahan = null)
    {
        var keys = App.Services.GetRequiredService<ApiKeyQueries>();
        var (_, key) = await keys.CreateAsync($"test {role}", role, kota, sudin, kelurahan, null, Actor.System, CancellationToken.None);
        return App.ClientWithKey(key);
    }

    protected static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new AssertionException($"Expected JSON, got {(int)response.StatusCode}: {text}", e);
        }
    }

    /// <summary>Asserts a problem+json answer with the contract's fields, and returns it.</summary>
    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        foreach (var field in new[] { "type", "title", "status", "detail", "traceId" })
        {
            Assert.That(json.TryGetProperty(field, out _), Is.True, $"problem lacks '{field}': {body}");
        }
        Assert.That(json.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        return json;
    }

    /// <summary>The validation errors of a 400 problem, as field → messages.</summary>
    protected static async Task<Dictionary<string, string[]>> AssertValidationProblemAsync(HttpResponseMessage response)
    {
        var json = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(json.TryGetProperty("errors", out var errors), Is.True, json.ToString());
        return errors.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
    }
}
