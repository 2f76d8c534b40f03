using System.Net;
using System.Net.Http.Json;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Reliability;

/// <summary>200 concurrent retries of one request: exactly one effect, every other answer a replay or a 409.</summary>
[Category("Reliability")]
public sealed class ConcurrentRetryTests(string provider) : ApiTest(provider)
{
    private const int Retries = 200;

    [Test]
    public async Task TwoHundredConcurrentPostsWithOneIdempotencyKeyCountOnce()
    {
        var period = await NewPeriodAsync();
        var body = new { period, kelurahan = "31.73.08.1001", sudin = "KPKP", count = 7, date = "2020-06-01", reference = "retry" };

        var answers = await Task.WhenAll(Enumerable.Range(0, Retries).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "one-key");
            using var response = await Admin.SendAsync(request);
            return (response.StatusCode, Replayed: response.Headers.Contains("Idempotent-Replayed"), Body: await response.Content.ReadAsStringAsync());
        }));

        var list = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/achievements?period={period}"));
        Assert.That(list.GetProperty("items").GetArrayLength(), Is.EqualTo(1));
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created && !a.Replayed), Is.EqualTo(1));
        Assert.That(answers.All(a => a.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict), Is.True,
            string.Join(", ", answers.Select(a => (int)a.StatusCode).Distinct()));
        var first = answers.Single(a => a.StatusCode == HttpStatusCode.Created && !a.Replayed).Body;
        Assert.That(answers.Where(a => a.Replayed).Select(a => a.Body), Is.All.EqualTo(first), "replays carry the first body");
    }

    [Test]
    public async Task TwoHundredConcurrentReversalsOfOneEntryReverseItOnce()
    {
        var period = await NewPeriodAsync();
        var created = await Admin.PostAsJsonAsync("/api/v1/achievements",
            new { period, kelurahan = "31.73.08.1002", sudin = "SOSIAL", count = 11, date = "2020-06-02" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var id = (await ReadJsonAsync(created)).GetProperty("id").ToString();

        var statuses = await Task.WhenAll(Enumerable.Range(0, Retries).Select(async _ =>
            (await Admin.PostAsJsonAsync($"/api/v1/achievements/{id}/reversal", new { reason = "entered twice" })).StatusCode));

        var rollup = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/31.73"));
        Assert.That(statuses.Count(s => s == HttpStatusCode.Created), Is.EqualTo(1));
        Assert.That(statuses.Count(s => s == HttpStatusCode.Conflict), Is.EqualTo(Retries - 1));
        Assert.That(rollup.GetProperty("walikota").GetProperty("achieved").GetInt64(), Is.Zero);
    }
}
