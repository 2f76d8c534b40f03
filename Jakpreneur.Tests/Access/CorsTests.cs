using System.Net;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Access;

/// <summary>CORS with one allowed dashboard origin.</summary>
public sealed class CorsTests(string provider) : ApiTest(provider)
{
    private const string Dashboard = "https://dashboard.jakarta.go.id";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Cors:AllowedOrigins:0"] = Dashboard,
    };

    private async Task<HttpResponseMessage> PreflightAsync(string origin)
    {
        using var client = App.ClientWithKey(null);
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/periods");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "x-api-key, content-type");
        return await client.SendAsync(request);
    }

    [Test]
    public async Task PreflightFromAnAllowedOriginGetsTheCorsHeaders()
    {
        var response = await PreflightAsync(Dashboard);

        Assert.That(response.IsSuccessStatusCode, Is.True, response.StatusCode.ToString());
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { Dashboard }));
        Assert.That(string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")), Does.Contain("x-api-key").IgnoreCase);
        Assert.That(string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), Does.Contain("PUT"));
        Assert.That(response.Headers.Contains("Access-Control-Allow-Credentials"), Is.False);
    }

    [Test]
    public async Task PreflightFromAnotherOriginGetsNoCorsHeaders()
    {
        var response = await PreflightAsync("https://evil.example");

        Assert.That(response.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        Assert.That(response.Headers.Contains("Access-Control-Allow-Headers"), Is.False);
    }

    [Test]
    public async Task ActualRequestFromTheDashboardMayReadTheAnswerAndItsETag()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sudin");
        request.Headers.Add("Origin", Dashboard);

        var response = await Admin.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { Dashboard }));
        Assert.That(string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers")), Does.Contain("ETag"));
    }
}
