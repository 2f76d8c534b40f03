using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Access;

public sealed class AuditTests(string provider) : ApiTest(provider)
{
    private static object PeriodBody(string name) => new { name, startDate = "2020-01-01", endDate = "2020-12-31", targetDeadline = "2020-12-15" };

    /// <summary>A new key issued over HTTP by the bootstrap admin: its id, and a client holding it.</summary>
    private async Task<(string Id, HttpClient Client)> IssueAsync(object body)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/api-keys", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var json = await ReadJsonAsync(response);
        return (json.GetProperty("id").GetString()!, App.ClientWithKey(json.GetProperty("key").GetString()));
    }

    private static async Task<JsonElement[]> ItemsAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/api/v1/audit?{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(response)).GetProperty("items").EnumerateArray().ToArray();
    }

    [Test]
    public async Task PeriodWritesAreAuditedWithKeyTimeRequestAndBeforeAfterObjects()
    {
        var (keyId, client) = await IssueAsync(new { name = "second admin", role = "admin" });
        var code = UniqueCode("AUD");

        var created = await client.PutAsJsonAsync($"/api/v1/periods/{code}", PeriodBody("Tahun 2020"));
        var updated = await client.PutAsJsonAsync($"/api/v1/periods/{code}", PeriodBody("Tahun Jakpreneur 2020"));
        var rows = await ItemsAsync(Admin, $"entity=period&entityId={code}");

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rows.Select(r => r.GetProperty("action").GetString()), Is.EqualTo(new[] { "update", "create" }), "one row per write, newest first");
        foreach (var row in rows)
        {
            Assert.That(row.GetProperty("keyId").GetString(), Is.EqualTo(keyId));
            Assert.That(row.GetProperty("entity").GetString(), Is.EqualTo("period"));
            Assert.That(row.GetProperty("at").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
            Assert.That(row.GetProperty("requestId").GetString(), Is.Not.Empty);
            Assert.That(row.GetProperty("after").ValueKind, Is.EqualTo(JsonValueKind.Object));
        }
        Assert.That(rows[1].GetProperty("before").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(rows[1].GetProperty("after").GetProperty("name").GetString(), Is.EqualTo("Tahun 2020"));
        Assert.That(rows[0].GetProperty("before").GetProperty("name").GetString(), Is.EqualTo("Tahun 2020"));
        Assert.That(rows[0].GetProperty("after").GetProperty("name").GetString(), Is.EqualTo("Tahun Jakpreneur 2020"));
        Assert.That(rows[0].GetProperty("requestId").GetString(), Is.Not.EqualTo(rows[1].GetProperty("requestId").GetString()));
        client.Dispose();
    }

    [Test]
    public async Task KeyCreationAndRevocationAreAuditedWithoutSecrets()
    {
        var (keyId, client) = await IssueAsync(new { name = "Walikota Jakarta Barat", role = "kota", kota = Codes.Barat });
        client.Dispose();

        await Admin.DeleteAsync($"/api/v1/api-keys/{keyId}");
        var rows = await ItemsAsync(Admin, $"entity=api-key&entityId={keyId}");

        Assert.That(rows.Select(r => r.GetProperty("action").GetString()), Is.EqualTo(new[] { "revoke", "create" }));
        Assert.That(rows.Select(r => r.GetProperty("keyId").GetString()), Is.All.EqualTo("bootstrap"));
        Assert.That(rows.Select(r => r.GetProperty("kota").GetString()), Is.All.EqualTo(Codes.Barat));
        Assert.That(rows[1].GetProperty("after").GetProperty("role").GetString(), Is.EqualTo("kota"));
        Assert.That(rows[0].GetProperty("before").GetProperty("revokedAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(rows[0].GetProperty("after").GetProperty("revokedAt").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
        foreach (var row in rows)
        {
            Assert.That(row.ToString(), Does.Not.Contain("hash").IgnoreCase.And.Not.Contain("jkp_"));
        }
    }

    [Test]
    public async Task KotaKeyReadsOnlyTheAuditRowsOfItsOwnKota()
    {
        var (baratId, baratClient) = await IssueAsync(new { name = "Walikota Jakarta Barat", role = "kota", kota = Codes.Barat });
        var (selatanId, selatanClient) = await IssueAsync(new { name = "Walikota Jakarta Selatan", role = "kota", kota = Codes.Selatan });
        selatanClient.Dispose();

        var seenByBarat = await ItemsAsync(baratClient, "entity=api-key&limit=1000");
        var seenByAdmin = await ItemsAsync(Admin, "entity=api-key&limit=1000");
        var otherKota = await baratClient.GetAsync($"/api/v1/audit?kota={Codes.Selatan}");

        Assert.That(seenByBarat.Select(r => r.GetProperty("kota").GetString()), Is.All.EqualTo(Codes.Barat));
        Assert.That(seenByBarat.Select(r => r.GetProperty("entityId").GetString()), Does.Contain(baratId).And.Not.Contain(selatanId));
        Assert.That(seenByAdmin.Select(r => r.GetProperty("entityId").GetString()), Does.Contain(baratId).And.Contain(selatanId));
        await AssertProblemAsync(otherKota, HttpStatusCode.Forbidden);
        baratClient.Dispose();
    }

    [Test]
    public async Task FromAndToAreWibDaysOrInstants()
    {
        var start = Time.GetUtcNow();
        try
        {
            // 06:30 WIB on 4 November is still 3 November in UTC: the day filter must use WIB.
            Time.SetWib(2020, 11, 4, 6, 30);
            var code = UniqueCode("AUD");
            await Admin.PutAsJsonAsync($"/api/v1/periods/{code}", PeriodBody("Filter"));
            async Task<int> CountAsync(string range) => (await ItemsAsync(Admin, $"entity=period&entityId={code}&{range}")).Length;

            Assert.That(await CountAsync("from=2020-11-04&to=2020-11-04"), Is.EqualTo(1));
            Assert.That(await CountAsync("to=2020-11-03"), Is.Zero);
            Assert.That(await CountAsync("from=2020-11-05"), Is.Zero);
            Assert.That(await CountAsync("from=2020-11-04T06:30:00%2B07:00&to=2020-11-04T06:30:00%2B07:00"), Is.EqualTo(1), "instants are inclusive");
            Assert.That(await CountAsync("from=2020-11-03T23:30:01Z"), Is.Zero);
            Assert.That(await CountAsync("to=2020-11-03T23:29:59Z"), Is.Zero);
        }
        finally
        {
            Time.SetUtcNow(start);
        }
    }

    [TestCase("from=2020-13-01", "from")]
    [TestCase("to=yesterday", "to")]
    [TestCase("from=2020-12-10T10:00:00", "from")]
    [TestCase("from=2020-12-10&to=2020-12-09", "to")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=1001", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("cursor=not-a-cursor", "cursor")]
    [TestCase("kota=31.99", "kota")]
    public async Task BadFiltersAre400NamingTheParameter(string query, string field)
    {
        var errors = await AssertValidationProblemAsync(await Admin.GetAsync($"/api/v1/audit?{query}"));

        Assert.That(errors.Keys, Does.Contain(field));
    }

    [Test]
    public async Task CursorPagesWalkEveryRowOnceNewestFirst()
    {
        var code = UniqueCode("AUD");
        for (var i = 0; i < 5; i++)
        {
            await Admin.PutAsJsonAsync($"/api/v1/periods/{code}", PeriodBody($"Versi {i}"));
        }

        var ids = new List<long>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await ReadJsonAsync(await Admin.GetAsync(
                $"/api/v1/audit?entity=period&entityId={code}&limit=2{(cursor is null ? "" : "&cursor=" + cursor)}"));
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.That(pages, Is.EqualTo(3));
        Assert.That(ids, Has.Count.EqualTo(5).And.Unique);
        Assert.That(ids, Is.Ordered.Descending);
    }
}
