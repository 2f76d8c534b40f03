using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Data;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Achievements;

public sealed class AchievementsTests(string provider) : ApiTest(provider)
{
    private const string Cengkareng = "31.73.01.1001";
    private const string Grogol = "31.73.02.1001";
    private const string PisanganBaru = "31.75.01.1001";

    private static object Entry(string period, string kelurahan = Cengkareng, string sudin = "KPKP", long count = 3, string date = "2020-12-01", string? reference = null) =>
        new { period, kelurahan, sudin, count, date, reference, note = (string?)null };

    private static HttpRequestMessage Json(HttpMethod method, string url, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return request;
    }

    private async Task<HttpResponseMessage> PostBatchAsync(HttpClient client, string key, params object[] entries) =>
        await client.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements/batch", new { entries }, key));

    private async Task<List<JsonElement>> ListAllAsync(string period, HttpClient? client = null)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await ReadJsonAsync(await (client ?? Admin).GetAsync(
                $"/api/v1/achievements?period={period}&limit=1000{(cursor is null ? "" : $"&cursor={cursor}")}"));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return items;
    }

    private async Task<long> AuditCountAsync(string entity, string entityId)
    {
        var db = new Db(App.Database.Provider, App.Database.ConnectionString);
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE entity = @entity AND entity_id = @entityId", new { entity, entityId });
    }

    [Test]
    public async Task PostRecordsAnEntryWithKotaAndKecamatanDerivedFromTheKelurahan()
    {
        var period = await NewPeriodAsync();

        var response = await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, reference: "SK-12"));
        var body = await ReadJsonAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body.ToString());
        var id = body.GetProperty("id").GetInt64();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/achievements/{id}"));
        Assert.That(body.GetProperty("period").GetString(), Is.EqualTo(period));
        Assert.That(body.GetProperty("kota").GetString(), Is.EqualTo("31.73"));
        Assert.That(body.GetProperty("kecamatan").GetString(), Is.EqualTo("31.73.01"));
        Assert.That(body.GetProperty("kelurahan").GetString(), Is.EqualTo(Cengkareng));
        Assert.That(body.GetProperty("sudin").GetString(), Is.EqualTo("KPKP"));
        Assert.That(body.GetProperty("count").GetInt64(), Is.EqualTo(3));
        Assert.That(body.GetProperty("date").GetString(), Is.EqualTo("2020-12-01"));
        Assert.That(body.GetProperty("reference").GetString(), Is.EqualTo("SK-12"));
        Assert.That(body.TryGetProperty("note", out var note) && note.ValueKind == JsonValueKind.Null, Is.True);
        Assert.That(body.GetProperty("recordedAt").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
        Assert.That((await Admin.GetAsync($"/api/v1/achievements/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await AuditCountAsync("achievement", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(1));
    }

    [Test]
    public async Task CountOutsideOneTo100000IsRejected()
    {
        var period = await NewPeriodAsync();

        var zero = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, count: 0)));
        var huge = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, count: 100_001)));
        var max = await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, count: 100_000));

        Assert.That(zero.Keys, Does.Contain("count"));
        Assert.That(huge.Keys, Does.Contain("count"));
        Assert.That(max.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await ListAllAsync(period), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DateAfterTodayWibOrOutsideThePeriodIsRejected()
    {
        var period = await NewPeriodAsync();
        Time.SetWib(2020, 12, 10, 23, 30); // already 10 December in Jakarta, still the 10th at 16:30 UTC

        var tomorrow = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, date: "2020-12-11")));
        var before = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, date: "2019-12-31")));
        var today = await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, date: "2020-12-10"));
        Time.SetUtcNow(FakeTimeProvider.DefaultStart);

        Assert.That(tomorrow.Keys, Does.Contain("date"));
        Assert.That(before["date"][0], Does.Contain(period));
        Assert.That(today.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task UnknownCodesAreValidationProblemsNamingTheCode()
    {
        var period = await NewPeriodAsync();

        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/achievements",
            new { period = "NOPE-PERIOD", kelurahan = "31.73.99.9999", sudin = "DINAS-X", count = 1, date = "2020-12-01" }));
        var kecamatan = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, kelurahan: "31.73.01")));

        Assert.That(errors["period"][0], Does.Contain("NOPE-PERIOD"));
        Assert.That(errors["kelurahan"][0], Does.Contain("31.73.99.9999"));
        Assert.That(errors["sudin"][0], Does.Contain("DINAS-X"));
        Assert.That(kecamatan["kelurahan"][0], Does.Contain("31.73.01"));
    }

    [Test]
    public async Task SingleReplaySameKeySameBodyAnswersTheFirstResponse()
    {
        var period = await NewPeriodAsync();
        var key = Guid.NewGuid().ToString();

        var first = await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements", Entry(period), key));
        Time.Advance(TimeSpan.FromMinutes(5));
        var second = await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements", Entry(period), key));
        Time.SetUtcNow(FakeTimeProvider.DefaultStart);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(first.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(second.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
        Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
        Assert.That(second.Headers.Location, Is.EqualTo(first.Headers.Location));
        Assert.That(await ListAllAsync(period), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SameKeyWithADifferentBodyIs422()
    {
        var period = await NewPeriodAsync();
        var key = Guid.NewGuid().ToString();

        await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements", Entry(period, count: 3), key));
        var single = await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements", Entry(period, count: 4), key));
        var batchKey = Guid.NewGuid().ToString();
        await PostBatchAsync(Admin, batchKey, Entry(period));
        var batch = await PostBatchAsync(Admin, batchKey, Entry(period), Entry(period));

        await AssertProblemAsync(single, HttpStatusCode.UnprocessableEntity);
        await AssertProblemAsync(batch, HttpStatusCode.UnprocessableEntity);
        Assert.That(await ListAllAsync(period), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task IdempotencyKeysAreScopedToTheApiKey()
    {
        var period = await NewPeriodAsync();
        using var other = await ClientForAsync(Roles.Admin);
        var key = Guid.NewGuid().ToString();

        var first = await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements", Entry(period), key));
        var second = await other.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements", Entry(period), key));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(second.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(await ListAllAsync(period), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task BatchWithoutIdempotencyKeyIs400AndStoresNothing()
    {
        var period = await NewPeriodAsync();

        var response = await Admin.PostAsJsonAsync("/api/v1/achievements/batch", new { entries = new[] { Entry(period) } });

        var errors = await AssertValidationProblemAsync(response);
        Assert.That(errors.Keys, Does.Contain("Idempotency-Key"));
        Assert.That(await ListAllAsync(period), Is.Empty);
    }

    [Test]
    public async Task BatchIsAcceptedAndReplayedWithTheSameKey()
    {
        var period = await NewPeriodAsync();
        var key = Guid.NewGuid().ToString();

        var first = await PostBatchAsync(Admin, key, Entry(period, count: 2), Entry(period, Grogol, "SOSIAL", 5), Entry(period, count: 1, date: "2020-11-30"));
        var replay = await PostBatchAsync(Admin, key, Entry(period, count: 2), Entry(period, Grogol, "SOSIAL", 5), Entry(period, count: 1, date: "2020-11-30"));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await ReadJsonAsync(first)).GetProperty("accepted").GetInt32(), Is.EqualTo(3));
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(replay.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
        Assert.That(await replay.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
        var items = await ListAllAsync(period);
        Assert.That(items.Select(i => i.GetProperty("count").GetInt64()).Sum(), Is.EqualTo(8));
        Assert.That(await AuditCountAsync("achievement-batch", key), Is.EqualTo(1));
    }

    [Test]
    public async Task BatchStoresEveryFieldExactlyAndInBatchOrder()
    {
        var period = await NewPeriodAsync();
        string?[] texts = ["SK/12 \"kutip\" \\ garis miring", "café ☕ 𝔘 — tab\there\nbaris baru", null, "<script>'; DROP TABLE achievements; --", new string('x', 100)];
        // The longest note the contract allows, all four-byte UTF-8 characters (2,000 bytes).
        var longNote = string.Concat(Enumerable.Repeat("𝔘", 500));
        // 250 rows: SQLite writes them as two full 100-row statements (the second reuses the first) and one of 50.
        var entries = Enumerable.Range(0, 250).Select(i => new
        {
            period,
            kelurahan = i % 2 == 0 ? Cengkareng : Grogol,
            sudin = i % 3 == 0 ? "KPKP" : "PPKUKM-UKM",
            count = i == 7 ? 100_000L : i + 1,
            date = $"2020-11-{1 + i % 30:D2}",
            reference = texts[i % texts.Length],
            note = i % 4 == 0 ? null : i % 50 == 1 ? longNote : $"{texts[(i + 1) % texts.Length]} #{i}",
        }).ToArray();

        var response = await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements/batch", new { entries }, Guid.NewGuid().ToString()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var items = await ListAllAsync(period);
        Assert.That(items, Has.Count.EqualTo(entries.Length));
        for (var i = 0; i < entries.Length; i++)
        {
            var (item, sent) = (items[i], entries[i]);
            Assert.That(item.GetProperty("kelurahan").GetString(), Is.EqualTo(sent.kelurahan), $"entry {i}");
            Assert.That(item.GetProperty("kota").GetString(), Is.EqualTo("31.73"), $"entry {i}");
            Assert.That(item.GetProperty("kecamatan").GetString(), Is.EqualTo(sent.kelurahan[..8]), $"entry {i}");
            Assert.That(item.GetProperty("sudin").GetString(), Is.EqualTo(sent.sudin), $"entry {i}");
            Assert.That(item.GetProperty("count").GetInt64(), Is.EqualTo(sent.count), $"entry {i}");
            Assert.That(item.GetProperty("date").GetString(), Is.EqualTo(sent.date), $"entry {i}");
            // Surrounding whitespace is trimmed on the way in; everything else is kept as sent.
            Assert.That(item.GetProperty("reference").GetString(), Is.EqualTo(sent.reference?.Trim()), $"entry {i}");
            Assert.That(item.GetProperty("note").GetString(), Is.EqualTo(sent.note?.Trim()), $"entry {i}");
            Assert.That(item.GetProperty("recordedAt").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()), $"entry {i}");
        }
        Assert.That(items.Select(i => i.GetProperty("id").GetInt64()), Is.Ordered.Ascending);
    }

    [Test]
    public async Task OneBadRowRejectsTheWholeBatchListingEveryBadRow()
    {
        var period = await NewPeriodAsync();

        var response = await PostBatchAsync(Admin, Guid.NewGuid().ToString(),
            Entry(period),
            Entry(period, count: 0),
            Entry(period),
            Entry(period, date: "2021-01-05"),
            Entry(period, kelurahan: "31.73.99.9999", sudin: "NOPE"));

        var errors = await AssertValidationProblemAsync(response);
        Assert.That(errors.Keys, Is.EquivalentTo(new[] { "entries[1].count", "entries[3].date", "entries[4].kelurahan", "entries[4].sudin" }));
        Assert.That(errors["entries[4].kelurahan"][0], Does.Contain("31.73.99.9999"));
        Assert.That(await ListAllAsync(period), Is.Empty);
    }

    [Test]
    public async Task EmptyOrOversizedBatchIsRejected()
    {
        var period = await NewPeriodAsync();

        var empty = await AssertValidationProblemAsync(await PostBatchAsync(Admin, Guid.NewGuid().ToString()));
        var tooMany = await AssertValidationProblemAsync(await PostBatchAsync(Admin, Guid.NewGuid().ToString(),
            Enumerable.Range(0, 5001).Select(_ => Entry(period)).ToArray()));

        Assert.That(empty.Keys, Does.Contain("entries"));
        Assert.That(tooMany.Keys, Does.Contain("entries"));
        Assert.That(await ListAllAsync(period), Is.Empty);
    }

    [Test]
    public async Task DryRunValidatesWithoutStoringOrConsumingTheKey()
    {
        var period = await NewPeriodAsync();
        var key = Guid.NewGuid().ToString();

        var dry = await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements/batch?dryRun=true", new { entries = new[] { Entry(period), Entry(period) } }, key));
        var dryBad = await Admin.SendAsync(Json(HttpMethod.Post, "/api/v1/achievements/batch?dryRun=true", new { entries = new[] { Entry(period, count: -1) } }, key));
        var stored = await ListAllAsync(period);
        var real = await PostBatchAsync(Admin, key, Entry(period), Entry(period));

        Assert.That(dry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await ReadJsonAsync(dry)).GetProperty("accepted").GetInt32(), Is.EqualTo(2));
        Assert.That((await AssertValidationProblemAsync(dryBad)).Keys, Does.Contain("entries[0].count"));
        Assert.That(stored, Is.Empty);
        Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(real.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(await ListAllAsync(period), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task FiftyConcurrentIdenticalBatchesCountOnce()
    {
        var period = await NewPeriodAsync();
        var key = Guid.NewGuid().ToString();
        var entries = Enumerable.Range(0, 40).Select(i => Entry(period, i % 2 == 0 ? Cengkareng : Grogol, count: i + 1)).ToArray();

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => PostBatchAsync(Admin, key, entries)));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
        Assert.That(responses.Count(r => !r.Headers.Contains("Idempotent-Replayed")), Is.EqualTo(1));
        var items = await ListAllAsync(period);
        Assert.That(items, Has.Count.EqualTo(40));
        Assert.That(items.Sum(i => i.GetProperty("count").GetInt64()), Is.EqualTo(Enumerable.Range(1, 40).Sum()));
        Assert.That(await AuditCountAsync("achievement-batch", key), Is.EqualTo(1));
    }

    [Test]
    public async Task ReversalCancelsTheEntryAndASecondReversalIs409()
    {
        var period = await NewPeriodAsync();
        var original = await ReadJsonAsync(await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period, count: 7, date: "2020-06-15")));
        var id = original.GetProperty("id").GetInt64();

        var reversal = await Admin.PostAsJsonAsync($"/api/v1/achievements/{id}/reversal", new { reason = "double entry" });
        var body = await ReadJsonAsync(reversal);
        var again = await Admin.PostAsJsonAsync($"/api/v1/achievements/{id}/reversal", new { reason = "again" });
        var ofReversal = await Admin.PostAsJsonAsync($"/api/v1/achievements/{body.GetProperty("id").GetInt64()}/reversal", new { reason = "undo" });
        var missing = await Admin.PostAsJsonAsync("/api/v1/achievements/999999999/reversal", new { reason = "x" });

        Assert.That(reversal.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(body.GetProperty("count").GetInt64(), Is.EqualTo(-7));
        Assert.That(body.GetProperty("date").GetString(), Is.EqualTo("2020-06-15"));
        Assert.That(body.GetProperty("kelurahan").GetString(), Is.EqualTo(Cengkareng));
        Assert.That(body.GetProperty("reversesId").GetInt64(), Is.EqualTo(id));
        Assert.That(body.GetProperty("note").GetString(), Is.EqualTo("double entry"));
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
        await AssertProblemAsync(ofReversal, HttpStatusCode.UnprocessableEntity);
        await AssertProblemAsync(missing, HttpStatusCode.NotFound);
        Assert.That((await ListAllAsync(period)).Sum(i => i.GetProperty("count").GetInt64()), Is.Zero);
        Assert.That(await AuditCountAsync("achievement", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(2));
    }

    [Test]
    public async Task ReversalNeedsAReason()
    {
        var period = await NewPeriodAsync();
        var id = (await ReadJsonAsync(await Admin.PostAsJsonAsync("/api/v1/achievements", Entry(period)))).GetProperty("id").GetInt64();

        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync($"/api/v1/achievements/{id}/reversal", new { reason = "" }));

        Assert.That(errors.Keys, Does.Contain("reason"));
    }

    [Test]
    public async Task PaginationWalksEveryPageWithoutDuplicates()
    {
        var period = await NewPeriodAsync();
        await PostBatchAsync(Admin, Guid.NewGuid().ToString(), Enumerable.Range(1, 25).Select(i => Entry(period, count: i)).ToArray());

        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/achievements?period={period}&limit=7{(cursor is null ? "" : $"&cursor={cursor}")}"));
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.That(pages, Is.EqualTo(4));
        Assert.That(ids, Has.Count.EqualTo(25));
        Assert.That(ids, Is.Unique);
        Assert.That(ids, Is.Ordered);
    }

    [Test]
    public async Task ListFiltersByRegionSudinAndDates()
    {
        var period = await NewPeriodAsync();
        await PostBatchAsync(Admin, Guid.NewGuid().ToString(),
            Entry(period, Cengkareng, "KPKP", 1, "2020-03-01"),
            Entry(period, Grogol, "KPKP", 2, "2020-04-01"),
            Entry(period, Grogol, "SOSIAL", 4, "2020-05-01"),
            Entry(period, PisanganBaru, "KPKP", 8, "2020-06-01"));

        async Task<long> SumAsync(string query) =>
            (await ReadJsonAsync(await Admin.GetAsync($"/api/v1/achievements?period={period}&{query}")))
            .GetProperty("items").EnumerateArray().Sum(i => i.GetProperty("count").GetInt64());

        Assert.That(await SumAsync("kota=31.73"), Is.EqualTo(7));
        Assert.That(await SumAsync("kecamatan=31.73.02"), Is.EqualTo(6));
        Assert.That(await SumAsync($"kelurahan={Grogol}&sudin=SOSIAL"), Is.EqualTo(4));
        Assert.That(await SumAsync("from=2020-04-01&to=2020-05-31"), Is.EqualTo(6));
        Assert.That(await SumAsync("sudin=KPKP"), Is.EqualTo(11));
    }

    [Test]
    public async Task BadListParametersAre400()
    {
        foreach (var query in new[] { "limit=0", "limit=1001", "limit=abc", "cursor=not-a-cursor", "from=2020-13-01", "kota=31.99", "sudin=NOPE", "period=NOPE-PERIOD" })
        {
            var errors = await AssertValidationProblemAsync(await Admin.GetAsync($"/api/v1/achievements?{query}"));
            Assert.That(errors.Keys, Does.Contain(query.Split('=')[0]), query);
        }
    }

    [Test]
    public async Task SudinKeyCannotPostForAnotherKotaOrAnotherSudin()
    {
        var period = await NewPeriodAsync();
        using var kpkpBarat = await ClientForAsync(Roles.Sudin, kota: "31.73", sudin: "KPKP");

        var own = await kpkpBarat.PostAsJsonAsync("/api/v1/achievements", Entry(period));
        var otherKota = await kpkpBarat.PostAsJsonAsync("/api/v1/achievements", Entry(period, PisanganBaru));
        var otherSudin = await kpkpBarat.PostAsJsonAsync("/api/v1/achievements", Entry(period, sudin: "SOSIAL"));
        var mixedBatch = await PostBatchAsync(kpkpBarat, Guid.NewGuid().ToString(), Entry(period), Entry(period, sudin: "PPAPP"), Entry(period, PisanganBaru));

        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await AssertProblemAsync(otherKota, HttpStatusCode.Forbidden);
        await AssertProblemAsync(otherSudin, HttpStatusCode.Forbidden);
        var problem = await AssertProblemAsync(mixedBatch, HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("entries").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(await ListAllAsync(period), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task KotaAndViewerKeysCannotPostAchievements()
    {
        var period = await NewPeriodAsync();
        using var kota = await ClientForAsync(Roles.Kota, kota: "31.73");
        using var viewer = await ClientForAsync(Roles.Viewer);

        await AssertProblemAsync(await kota.PostAsJsonAsync("/api/v1/achievements", Entry(period)), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await viewer.PostAsJsonAsync("/api/v1/achievements", Entry(period)), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task SudinKeyReversesItsOwnEntriesOnlyAndTheKotaKeyReversesAnyOfItsKota()
    {
        var period = await NewPeriodAsync();
        using var kpkp = await ClientForAsync(Roles.Sudin, kota: "31.73", sudin: "KPKP");
        using var sosial = await ClientForAsync(Roles.Sudin, kota: "31.73", sudin: "SOSIAL");
        using var baratOffice = await ClientForAsync(Roles.Kota, kota: "31.73");
        using var timurOffice = await ClientForAsync(Roles.Kota, kota: "31.75");
        var first = (await ReadJsonAsync(await kpkp.PostAsJsonAsync("/api/v1/achievements", Entry(period)))).GetProperty("id").GetInt64();
        var second = (await ReadJsonAsync(await kpkp.PostAsJsonAsync("/api/v1/achievements", Entry(period)))).GetProperty("id").GetInt64();

        var bySosial = await sosial.PostAsJsonAsync($"/api/v1/achievements/{first}/reversal", new { reason = "x" });
        var byTimur = await timurOffice.PostAsJsonAsync($"/api/v1/achievements/{first}/reversal", new { reason = "x" });
        var byOwner = await kpkp.PostAsJsonAsync($"/api/v1/achievements/{first}/reversal", new { reason = "x" });
        var byOffice = await baratOffice.PostAsJsonAsync($"/api/v1/achievements/{second}/reversal", new { reason = "x" });

        await AssertProblemAsync(bySosial, HttpStatusCode.Forbidden);
        await AssertProblemAsync(byTimur, HttpStatusCode.NotFound);
        Assert.That(byOwner.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(byOffice.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task KotaLimitedViewerSeesOnlyItsKota()
    {
        var period = await NewPeriodAsync();
        await PostBatchAsync(Admin, Guid.NewGuid().ToString(), Entry(period, Cengkareng), Entry(period, PisanganBaru));
        using var baratViewer = await ClientForAsync(Roles.Viewer, kota: "31.73");
        using var everywhere = await ClientForAsync(Roles.Viewer);

        var own = await ListAllAsync(period, baratViewer);
        var all = await ListAllAsync(period, everywhere);
        var otherKota = await baratViewer.GetAsync($"/api/v1/achievements?period={period}&kota=31.75");
        var otherKelurahan = await baratViewer.GetAsync($"/api/v1/achievements?period={period}&kelurahan={PisanganBaru}");

        Assert.That(own.Select(i => i.GetProperty("kota").GetString()), Is.EqualTo(new[] { "31.73" }));
        Assert.That(all, Has.Count.EqualTo(2));
        await AssertProblemAsync(otherKota, HttpStatusCode.Forbidden);
        await AssertProblemAsync(otherKelurahan, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task MalformedBatchJsonIs400Problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements/batch")
        {
            Content = new StringContent("{\"entries\": [{\"count\": \"many\"}]}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        await AssertProblemAsync(await Admin.SendAsync(request), HttpStatusCode.BadRequest);
    }
}
