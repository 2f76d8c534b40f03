using System.Net;
using Jakpreneur.Core.Auth;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Access;

/// <summary>Rate limits switched on with a small budget; every test spends a fresh key's budget.</summary>
public sealed class RateLimitingTests(string provider) : ApiTest(provider)
{
    private const int Permits = 3;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimiting:Enabled"] = "true",
        ["RateLimiting:PermitsPerMinute"] = Permits.ToString(),
    };

    [Test]
    public async Task OverTheLimitIs429ProblemWithRetryAfter()
    {
        using var client = await ClientForAsync(Roles.Viewer);
        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < Permits; i++)
        {
            allowed.Add((await client.GetAsync("/api/v1/sudin")).StatusCode);
        }

        var refused = await client.GetAsync("/api/v1/sudin");

        Assert.That(allowed, Is.All.EqualTo(HttpStatusCode.OK));
        var problem = await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain($"{Permits} requests per minute"));
        Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.InRange(1, 60));
    }

    [Test]
    public async Task EachKeyHasItsOwnBudget()
    {
        using var busy = await ClientForAsync(Roles.Viewer);
        using var quiet = await ClientForAsync(Roles.Viewer);
        for (var i = 0; i < Permits; i++)
        {
            await busy.GetAsync("/api/v1/sudin");
        }

        var busyAgain = await busy.GetAsync("/api/v1/sudin");
        var quietFirst = await quiet.GetAsync("/api/v1/sudin");

        Assert.That(busyAgain.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(quietFirst.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task HealthAndSwaggerAreNotLimited()
    {
        using var anonymous = App.ClientWithKey(null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Permits * 3; i++)
        {
            statuses.Add((await anonymous.GetAsync("/health/live")).StatusCode);
            statuses.Add((await anonymous.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        }

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RequestsWithoutAValidKeyShareAPerAddressBudget()
    {
        // Key guessing is slowed too: unauthenticated requests count against the caller's address.
        using var guesser = App.ClientWithKey("jkp_0123456789ab_guess");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= Permits; i++)
        {
            statuses.Add((await guesser.GetAsync("/api/v1/sudin")).StatusCode);
        }

        Assert.That(statuses, Does.Contain(HttpStatusCode.TooManyRequests));
        Assert.That(statuses.Where(s => s != HttpStatusCode.TooManyRequests), Is.All.EqualTo(HttpStatusCode.Unauthorized));
    }
}
