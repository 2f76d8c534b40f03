using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Demo;
using Jakpreneur.Core.Sosialisasi;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Sosialisasi;

public sealed class SosialisasiTests(string provider) : ApiTest(provider)
{
    private const string JakartaBarat = "31.73";
    private const string JakartaSelatan = "31.74";
    private const string KepulauanSeribu = "31.01";
    private const string Cengkareng = "31.73.01";
    private const string CengkarengBarat = "31.73.01.1001";
    private const string DuriKosambi = "31.73.01.1002";
    private const string RawaBuaya = "31.73.01.1003";
    private const string Grogol = "31.73.02.1001";
    private const string TebetTimur = "31.74.01.1001";
    private const string PulauPanggang = "31.01.01.1001";

    [SetUp]
    public void ResetClock() => Time.SetUtcNow(FakeTimeProvider.DefaultStart);

    private static string Campaigns(string? rest = null) => $"/api/v1/sosialisasi/campaigns{rest}";

    private static object CampaignBody(string code, string[] kota, string dueDate = "2020-12-15", string? period = null, string? materialUrl = null) => new
    {
        code,
        title = "Sosialisasi pendaftaran Jakpreneur dan bahan baku murah",
        period,
        kota,
        dueDate,
        materialUrl,
    };

    private async Task<string> NewCampaignAsync(params string[] kota)
    {
        var code = UniqueCode("SOS");
        var response = await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(code, kota.Length == 0 ? [JakartaBarat] : kota));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return code;
    }

    private static object ReportBody(string kelurahan, string channel = "instagram", string? url = "https://www.instagram.com/p/jakpreneur2020",
        string publishedOn = "2020-12-10", long? reach = null, string? note = null) =>
        new { kelurahan, channel, url, publishedOn, reach, note };

    private static Task<HttpResponseMessage> ReportAsync(HttpClient client, string campaign, object body) =>
        client.PostAsJsonAsync(Campaigns($"/{campaign}/reports"), body);

    private async Task<JsonElement> CreatedReportAsync(HttpClient client, string campaign, string kelurahan)
    {
        var response = await ReportAsync(client, campaign, ReportBody(kelurahan, publishedOn: Iso.Date(Wib.Today(Time))));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private async Task<JsonElement> StatusAsync(string campaign, string query = "", HttpClient? client = null)
    {
        var response = await (client ?? Admin).GetAsync(Campaigns($"/{campaign}/status{query}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private static (long Kelurahan, long Reported, long OnTime, long Late, long Pending) Totals(JsonElement status)
    {
        var t = status.GetProperty("totals");
        return (t.GetProperty("kelurahan").GetInt64(), t.GetProperty("reported").GetInt64(), t.GetProperty("onTime").GetInt64(),
            t.GetProperty("late").GetInt64(), t.GetProperty("pending").GetInt64());
    }

    private static JsonElement Row(JsonElement status, string kelurahan) =>
        status.GetProperty("kelurahan").EnumerateArray().Single(k => k.GetProperty("code").GetString() == kelurahan);

    private async Task<long> AuditRowsAsync(string entity, string entityId)
    {
        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE entity = @entity AND entity_id = @entityId", new { entity, entityId });
    }

    // Campaigns

    [Test]
    public async Task CreatingACampaignMakesOneObligationPerKelurahanOfEachKota()
    {
        var code = UniqueCode("SOS");

        var response = await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaBarat, KepulauanSeribu], materialUrl: "https://jakpreneur.jakarta.go.id/materi.pdf"));
        var body = await ReadJsonAsync(response);
        var status = await StatusAsync(code);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body.ToString());
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/sosialisasi/campaigns/{code}"));
        Assert.That(body.GetProperty("kota").EnumerateArray().Select(k => k.GetString()), Is.EquivalentTo(new[] { JakartaBarat, KepulauanSeribu }));
        Assert.That(body.GetProperty("kelurahan").GetInt64(), Is.EqualTo(62));
        Assert.That(body.GetProperty("dueDate").GetString(), Is.EqualTo("2020-12-15"));
        Assert.That(body.GetProperty("materialUrl").GetString(), Is.EqualTo("https://jakpreneur.jakarta.go.id/materi.pdf"));
        var coverage = body.GetProperty("coverage").EnumerateArray().ToDictionary(k => k.GetProperty("code").GetString()!, k => k.GetProperty("kelurahan").GetInt64());
        Assert.That(coverage, Is.EqualTo(new Dictionary<string, long> { [KepulauanSeribu] = 6, [JakartaBarat] = 56 }));
        Assert.That(Totals(status), Is.EqualTo((62L, 0L, 0L, 0L, 62L)));
        Assert.That(status.GetProperty("kecamatan").GetArrayLength(), Is.EqualTo(10));
        Assert.That(await AuditRowsAsync(AuditEntities.Campaign, code), Is.EqualTo(1));
    }

    [Test]
    public async Task GetReturnsTheCampaignAndUnknownCodeIs404()
    {
        var code = await NewCampaignAsync();

        var found = await ReadJsonAsync(await Admin.GetAsync(Campaigns($"/{code}")));
        var missing = await AssertProblemAsync(await Admin.GetAsync(Campaigns("/NO-SUCH-CAMPAIGN")), HttpStatusCode.NotFound);

        Assert.That(found.GetProperty("code").GetString(), Is.EqualTo(code));
        Assert.That(found.GetProperty("kelurahan").GetInt64(), Is.EqualTo(56));
        Assert.That(found.GetProperty("reported").GetInt64(), Is.Zero);
        Assert.That(missing.GetProperty("detail").GetString(), Does.Contain("NO-SUCH-CAMPAIGN"));
    }

    [Test]
    public async Task ExistingCodeIs409AndKeepsTheFirstCampaign()
    {
        var code = await NewCampaignAsync(JakartaBarat);

        var problem = await AssertProblemAsync(await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(code, [KepulauanSeribu], "2021-01-31")), HttpStatusCode.Conflict);
        var stored = await ReadJsonAsync(await Admin.GetAsync(Campaigns($"/{code}")));

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(code));
        Assert.That(stored.GetProperty("dueDate").GetString(), Is.EqualTo("2020-12-15"));
        Assert.That(stored.GetProperty("kota").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { JakartaBarat }));
        Assert.That(await AuditRowsAsync(AuditEntities.Campaign, code), Is.EqualTo(1));
    }

    [Test]
    public async Task UnknownKotaIsNamedAtItsIndexAndNothingIsStored()
    {
        var code = UniqueCode("SOS");

        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaBarat, "31.99", Cengkareng])));

        Assert.That(errors["kota[1]"].Single(), Does.Contain("31.99"));
        Assert.That(errors["kota[2]"].Single(), Does.Contain(Cengkareng));
        Assert.That(errors.Keys, Does.Not.Contain("kota[0]"));
        await AssertProblemAsync(await Admin.GetAsync(Campaigns($"/{code}")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task DuplicateKotaIsRejected()
    {
        var code = UniqueCode("SOS");

        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaBarat, KepulauanSeribu, JakartaBarat])));

        Assert.That(errors["kota[2]"].Single(), Does.Contain(JakartaBarat));
        await AssertProblemAsync(await Admin.GetAsync(Campaigns($"/{code}")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task AKotaListLongerThanDkiIsOneError()
    {
        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(UniqueCode("SOS"), Enumerable.Repeat(JakartaBarat, 5000).ToArray())));

        Assert.That(errors.Keys, Is.EqualTo(new[] { "kota" }));
    }

    [Test]
    public async Task UnknownPeriodIsNamedAndAKnownPeriodIsKept()
    {
        var period = await NewPeriodAsync();
        var code = UniqueCode("SOS");

        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(UniqueCode("SOS"), [JakartaBarat], period: "P-NOPE")));
        var created = await ReadJsonAsync(await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaBarat], period: period)));

        Assert.That(errors["period"].Single(), Does.Contain("P-NOPE"));
        Assert.That(created.GetProperty("period").GetString(), Is.EqualTo(period));
    }

    [TestCase("ftp://files.jakarta.go.id/materi.pdf")]
    [TestCase("javascript:alert(1)")]
    [TestCase("materi.pdf")]
    public async Task MaterialUrlMustBeHttpOrHttps(string url)
    {
        var code = UniqueCode("SOS");

        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaBarat], materialUrl: url)));

        Assert.That(errors.Keys, Does.Contain("materialUrl"));
        await AssertProblemAsync(await Admin.GetAsync(Campaigns($"/{code}")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task MissingFieldsAreListedByJsonName()
    {
        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync(Campaigns(), new { }));

        Assert.That(errors.Keys, Is.SupersetOf(new[] { "code", "title", "kota", "dueDate" }));
    }

    [Test]
    public async Task ListShowsCampaignsAndAKotaKeySeesOnlyThoseOfItsKota()
    {
        var barat = await NewCampaignAsync(JakartaBarat);
        var seribu = await NewCampaignAsync(KepulauanSeribu);
        using var kotaKey = await ClientForAsync(Roles.Kota, kota: KepulauanSeribu);

        var all = await ReadJsonAsync(await Admin.GetAsync(Campaigns()));
        var scoped = await ReadJsonAsync(await kotaKey.GetAsync(Campaigns()));
        var filtered = await ReadJsonAsync(await Admin.GetAsync(Campaigns($"?kota={JakartaBarat}")));

        var codes = (JsonElement list) => list.EnumerateArray().Select(c => c.GetProperty("code").GetString()).ToList();
        Assert.That(codes(all), Does.Contain(barat).And.Contain(seribu));
        Assert.That(codes(scoped), Does.Contain(seribu).And.Not.Contain(barat));
        Assert.That(codes(filtered), Does.Contain(barat).And.Not.Contain(seribu));
        var both = await NewCampaignAsync(JakartaBarat, KepulauanSeribu);
        var seen = await ReadJsonAsync(await kotaKey.GetAsync(Campaigns($"/{both}")));
        Assert.That(seen.GetProperty("kota").GetArrayLength(), Is.EqualTo(2));
        Assert.That(seen.GetProperty("kelurahan").GetInt64(), Is.EqualTo(6), "a kota key sees the figures of its own kota only");
        Assert.That(seen.GetProperty("coverage").EnumerateArray().Select(k => k.GetProperty("code").GetString()), Is.EqualTo(new[] { KepulauanSeribu }));
        await AssertProblemAsync(await kotaKey.GetAsync(Campaigns($"?kota={JakartaBarat}")), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await kotaKey.GetAsync(Campaigns($"/{barat}")), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task PatchingTheDueDateFlipsLateToOnTime()
    {
        var code = await NewCampaignAsync(JakartaBarat);
        Time.SetWib(2020, 12, 17, 9);
        await CreatedReportAsync(Admin, code, CengkarengBarat);
        var before = Row(await StatusAsync(code), CengkarengBarat).GetProperty("status").GetString();

        var patched = await Admin.PatchAsJsonAsync(Campaigns($"/{code}"), new { dueDate = "2020-12-17" });
        var after = await StatusAsync(code);

        Assert.That(before, Is.EqualTo("late"));
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await ReadJsonAsync(patched)).GetProperty("dueDate").GetString(), Is.EqualTo("2020-12-17"));
        Assert.That(after.GetProperty("dueDate").GetString(), Is.EqualTo("2020-12-17"));
        Assert.That(Row(after, CengkarengBarat).GetProperty("status").GetString(), Is.EqualTo("on_time"));
        Assert.That(Totals(after), Is.EqualTo((56L, 1L, 1L, 0L, 55L)));
        Assert.That(await AuditRowsAsync(AuditEntities.Campaign, code), Is.EqualTo(2));
    }

    [Test]
    public async Task PatchRejectsUnknownCampaignAndMissingDueDate()
    {
        var code = await NewCampaignAsync();

        await AssertProblemAsync(await Admin.PatchAsJsonAsync(Campaigns("/NO-SUCH-CAMPAIGN"), new { dueDate = "2020-12-20" }), HttpStatusCode.NotFound);
        var errors = await AssertValidationProblemAsync(await Admin.PatchAsJsonAsync(Campaigns($"/{code}"), new { }));

        Assert.That(errors.Keys, Does.Contain("dueDate"));
        Assert.That((await ReadJsonAsync(await Admin.GetAsync(Campaigns($"/{code}")))).GetProperty("dueDate").GetString(), Is.EqualTo("2020-12-15"));
    }

    // Reports

    [Test]
    public async Task AReportIsStoredWithTheStatusOfItsKelurahan()
    {
        var code = await NewCampaignAsync();

        var response = await ReportAsync(Admin, code, ReportBody(CengkarengBarat, reach: 1200, note: "Reels akun kelurahan"));
        var body = await ReadJsonAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body.ToString());
        Assert.That(body.GetProperty("id").GetInt64(), Is.Positive);
        Assert.That(body.GetProperty("kelurahan").GetString(), Is.EqualTo(CengkarengBarat));
        Assert.That(body.GetProperty("kecamatan").GetString(), Is.EqualTo(Cengkareng));
        Assert.That(body.GetProperty("kota").GetString(), Is.EqualTo(JakartaBarat));
        Assert.That(body.GetProperty("channel").GetString(), Is.EqualTo("instagram"));
        Assert.That(body.GetProperty("reach").GetInt64(), Is.EqualTo(1200));
        Assert.That(body.GetProperty("publishedOn").GetString(), Is.EqualTo("2020-12-10"));
        Assert.That(body.GetProperty("recordedAt").GetDateTimeOffset(), Is.EqualTo(FakeTimeProvider.DefaultStart));
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("on_time"));
        Assert.That(body.GetProperty("reports").GetInt64(), Is.EqualTo(1));
        Assert.That(await AuditRowsAsync(AuditEntities.Report, body.GetProperty("id").GetInt64().ToString()), Is.EqualTo(1));
    }

    [Test]
    public async Task ReportAtTheLastSecondOfTheDueDateWibIsOnTimeAndAtMidnightIsLate()
    {
        var code = await NewCampaignAsync();

        Time.SetWib(2020, 12, 15, 23, 59, 59);
        var lastSecond = await CreatedReportAsync(Admin, code, CengkarengBarat);
        Time.SetWib(2020, 12, 16, 0, 0, 0);
        var midnight = await CreatedReportAsync(Admin, code, DuriKosambi);
        var status = await StatusAsync(code);

        Assert.That(lastSecond.GetProperty("status").GetString(), Is.EqualTo("on_time"));
        Assert.That(midnight.GetProperty("status").GetString(), Is.EqualTo("late"));
        Assert.That(Row(status, CengkarengBarat).GetProperty("status").GetString(), Is.EqualTo("on_time"));
        Assert.That(Row(status, DuriKosambi).GetProperty("status").GetString(), Is.EqualTo("late"));
        Assert.That(Row(status, RawaBuaya).GetProperty("status").GetString(), Is.EqualTo("pending"));
        Assert.That(Totals(status), Is.EqualTo((56L, 2L, 1L, 1L, 54L)));
    }

    [Test]
    public async Task LaterReportsKeepTheFirstReportsTime()
    {
        var code = await NewCampaignAsync();
        var first = await CreatedReportAsync(Admin, code, CengkarengBarat);

        Time.SetWib(2020, 12, 20);
        var second = await CreatedReportAsync(Admin, code, CengkarengBarat);
        var third = await ReadJsonAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, "offline", null, "2020-12-19", note: "Rapat RW 05")));
        var row = Row(await StatusAsync(code), CengkarengBarat);

        Assert.That(second.GetProperty("status").GetString(), Is.EqualTo("on_time"));
        Assert.That(second.GetProperty("firstReportedAt").GetDateTimeOffset(), Is.EqualTo(first.GetProperty("recordedAt").GetDateTimeOffset()));
        Assert.That(third.GetProperty("reports").GetInt64(), Is.EqualTo(3));
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("on_time"));
        Assert.That(row.GetProperty("reports").GetInt64(), Is.EqualTo(3));
        Assert.That(row.GetProperty("firstReportedAt").GetDateTimeOffset(), Is.EqualTo(FakeTimeProvider.DefaultStart));
    }

    [Test]
    public async Task ConcurrentReportsOfOneKelurahanAllCountAndOneSetsTheFirstTime()
    {
        var code = await NewCampaignAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ReportAsync(Admin, code, ReportBody(Grogol))));
        var row = Row(await StatusAsync(code), Grogol);

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
        Assert.That(row.GetProperty("reports").GetInt64(), Is.EqualTo(8));
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("on_time"));
    }

    [Test]
    public async Task UnknownChannelIsRejectedNamingTheAllowedValues()
    {
        var code = await NewCampaignAsync();

        var errors = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, "telegram")));

        Assert.That(errors["channel"].Single(), Does.Contain("telegram").And.Contain("instagram, facebook, x, tiktok, youtube, whatsapp, website, offline"));
    }

    [Test]
    public async Task UrlIsRequiredExceptOfflineWhichRequiresANote()
    {
        var code = await NewCampaignAsync();

        var noUrl = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, "facebook", url: null)));
        var noNote = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, "offline", url: null)));
        var offline = await ReportAsync(Admin, code, ReportBody(CengkarengBarat, "offline", url: null, note: "Sosialisasi di aula kelurahan bersama 40 warga"));

        Assert.That(noUrl.Keys, Does.Contain("url"));
        Assert.That(noNote.Keys, Does.Contain("note").And.Not.Contain("url"));
        Assert.That(offline.StatusCode, Is.EqualTo(HttpStatusCode.Created), await offline.Content.ReadAsStringAsync());
    }

    [TestCase("ftp://files.example.org/post")]
    [TestCase("javascript:alert(1)")]
    [TestCase("www.instagram.com/p/abc")]
    public async Task UrlMustBeHttpOrHttps(string url)
    {
        var code = await NewCampaignAsync();

        var errors = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, url: url)));

        Assert.That(errors.Keys, Does.Contain("url"));
    }

    [Test]
    public async Task PublishedOnMustNotBeAfterTodayInWib()
    {
        var code = await NewCampaignAsync();
        Time.SetWib(2020, 12, 11, 0, 30); // still 10 December in UTC

        var today = await ReportAsync(Admin, code, ReportBody(CengkarengBarat, publishedOn: "2020-12-11"));
        var tomorrow = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(DuriKosambi, publishedOn: "2020-12-12")));

        Assert.That(today.StatusCode, Is.EqualTo(HttpStatusCode.Created), await today.Content.ReadAsStringAsync());
        Assert.That(tomorrow["publishedOn"].Single(), Does.Contain("2020-12-11"));
    }

    [Test]
    public async Task NegativeReachIsRejected()
    {
        var code = await NewCampaignAsync();

        var errors = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, reach: -1)));

        Assert.That(errors.Keys, Does.Contain("reach"));
    }

    [Test]
    public async Task KelurahanOutsideTheCampaignIs422()
    {
        var code = await NewCampaignAsync(JakartaBarat);

        var problem = await AssertProblemAsync(await ReportAsync(Admin, code, ReportBody(TebetTimur)), HttpStatusCode.UnprocessableEntity);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(TebetTimur));
    }

    [Test]
    public async Task UnknownKelurahanIs400AndUnknownCampaignIs404()
    {
        var code = await NewCampaignAsync();

        var errors = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody("31.73.01.9999")));
        var kecamatan = await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(Cengkareng)));
        await AssertProblemAsync(await ReportAsync(Admin, "NO-SUCH-CAMPAIGN", ReportBody(CengkarengBarat)), HttpStatusCode.NotFound);

        Assert.That(errors["kelurahan"].Single(), Does.Contain("31.73.01.9999"));
        Assert.That(kecamatan["kelurahan"].Single(), Does.Contain(Cengkareng));
    }

    [Test]
    public async Task RejectedReportsStoreNothing()
    {
        var code = await NewCampaignAsync();
        using var neighbour = await ClientForAsync(Roles.Kelurahan, kota: JakartaBarat, kelurahan: DuriKosambi);

        await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, "telegram")));
        await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, url: "ftp://x.org/a")));
        await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, publishedOn: "2020-12-11")));
        await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, "offline", null)));
        await AssertValidationProblemAsync(await ReportAsync(Admin, code, ReportBody(CengkarengBarat, reach: -5)));
        await AssertProblemAsync(await ReportAsync(neighbour, code, ReportBody(CengkarengBarat)), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await ReportAsync(Admin, code, ReportBody(TebetTimur)), HttpStatusCode.UnprocessableEntity);
        var status = await StatusAsync(code);

        Assert.That(Totals(status), Is.EqualTo((56L, 0L, 0L, 0L, 56L)));
        Assert.That(status.GetProperty("kelurahan").EnumerateArray().Select(k => k.GetProperty("reports").GetInt64()), Is.All.Zero);
    }

    // Scoping

    [Test]
    public async Task KelurahanKeyReportsForItsOwnKelurahanButNotItsNeighbour()
    {
        var code = await NewCampaignAsync();
        using var lurah = await ClientForAsync(Roles.Kelurahan, kota: JakartaBarat, kelurahan: CengkarengBarat);

        var own = await ReportAsync(lurah, code, ReportBody(CengkarengBarat));
        await AssertProblemAsync(await ReportAsync(lurah, code, ReportBody(DuriKosambi)), HttpStatusCode.Forbidden);
        var status = await StatusAsync(code);

        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(Row(status, DuriKosambi).GetProperty("reports").GetInt64(), Is.Zero);
        Assert.That(Totals(status).Reported, Is.EqualTo(1));
    }

    [Test]
    public async Task KotaOfficeReportsForItsKotaOnlyAndSudinOrViewerKeysCannotReport()
    {
        var code = await NewCampaignAsync(JakartaBarat, KepulauanSeribu);
        using var barat = await ClientForAsync(Roles.Kota, kota: JakartaBarat);
        using var sudin = await ClientForAsync(Roles.Sudin, kota: JakartaBarat, sudin: "PAREKRAF");
        using var viewer = await ClientForAsync(Roles.Viewer);

        var own = await ReportAsync(barat, code, ReportBody(Grogol));
        await AssertProblemAsync(await ReportAsync(barat, code, ReportBody(PulauPanggang)), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await ReportAsync(sudin, code, ReportBody(Grogol)), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await ReportAsync(viewer, code, ReportBody(Grogol)), HttpStatusCode.Forbidden);

        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(Totals(await StatusAsync(code)).Reported, Is.EqualTo(1));
    }

    [Test]
    public async Task KotaKeyOfJakartaSelatanCannotCreateOrPatchACampaignForJakartaBarat()
    {
        using var selatan = await ClientForAsync(Roles.Kota, kota: JakartaSelatan);
        var code = UniqueCode("SOS");
        var existing = await NewCampaignAsync(JakartaBarat);

        await AssertProblemAsync(await selatan.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaBarat])), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await selatan.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaSelatan, JakartaBarat])), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await selatan.PatchAsJsonAsync(Campaigns($"/{existing}"), new { dueDate = "2021-01-31" }), HttpStatusCode.Forbidden);

        await AssertProblemAsync(await Admin.GetAsync(Campaigns($"/{code}")), HttpStatusCode.NotFound);
        Assert.That((await ReadJsonAsync(await Admin.GetAsync(Campaigns($"/{existing}")))).GetProperty("dueDate").GetString(), Is.EqualTo("2020-12-15"));
    }

    [Test]
    public async Task KotaKeyManagesCampaignsOfItsOwnKota()
    {
        using var selatan = await ClientForAsync(Roles.Kota, kota: JakartaSelatan);
        var code = UniqueCode("SOS");

        var created = await selatan.PostAsJsonAsync(Campaigns(), CampaignBody(code, [JakartaSelatan]));
        var patched = await selatan.PatchAsJsonAsync(Campaigns($"/{code}"), new { dueDate = "2020-12-31" });

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), await patched.Content.ReadAsStringAsync());
        Assert.That((await ReadJsonAsync(created)).GetProperty("kelurahan").GetInt64(), Is.EqualTo(65));
    }

    [Test]
    public async Task KelurahanKeySeesOnlyItsOwnRowInTheStatus()
    {
        var code = await NewCampaignAsync();
        await CreatedReportAsync(Admin, code, DuriKosambi);
        using var lurah = await ClientForAsync(Roles.Kelurahan, kota: JakartaBarat, kelurahan: CengkarengBarat);

        var status = await StatusAsync(code, client: lurah);
        var campaign = await lurah.GetAsync(Campaigns($"/{code}"));

        Assert.That(status.GetProperty("kelurahan").EnumerateArray().Select(k => k.GetProperty("code").GetString()), Is.EqualTo(new[] { CengkarengBarat }));
        Assert.That(Totals(status), Is.EqualTo((1L, 0L, 0L, 0L, 1L)));
        Assert.That(status.GetProperty("kecamatan").EnumerateArray().Single().GetProperty("code").GetString(), Is.EqualTo(Cengkareng));
        Assert.That(campaign.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertProblemAsync(await lurah.GetAsync(Campaigns($"/{code}/status?kecamatan=31.73.02")), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task KotaLimitedKeysSeeOnlyTheirKotaAndAreRefusedAnother()
    {
        var code = await NewCampaignAsync(JakartaBarat, KepulauanSeribu);
        using var seribu = await ClientForAsync(Roles.Kota, kota: KepulauanSeribu);
        using var viewer = await ClientForAsync(Roles.Viewer, kota: KepulauanSeribu);
        using var sudin = await ClientForAsync(Roles.Sudin, kota: KepulauanSeribu, sudin: "KPKP");
        using var province = await ClientForAsync(Roles.Viewer);

        foreach (var client in new[] { seribu, viewer, sudin })
        {
            var status = await StatusAsync(code, client: client);
            Assert.That(Totals(status).Kelurahan, Is.EqualTo(6));
            Assert.That(status.GetProperty("kelurahan").EnumerateArray().Select(k => k.GetProperty("code").GetString()), Is.All.StartsWith(KepulauanSeribu + "."));
            await AssertProblemAsync(await client.GetAsync(Campaigns($"/{code}/status?kota={JakartaBarat}")), HttpStatusCode.Forbidden);
            await AssertProblemAsync(await client.GetAsync(Campaigns($"/{code}/status?kecamatan={Cengkareng}")), HttpStatusCode.Forbidden);
        }
        Assert.That(Totals(await StatusAsync(code, client: province)).Kelurahan, Is.EqualTo(62));
    }

    [Test]
    public async Task KotaKeyIsRefusedTheStatusOfACampaignNotCoveringItsKota()
    {
        var code = await NewCampaignAsync(JakartaBarat);
        using var selatan = await ClientForAsync(Roles.Kota, kota: JakartaSelatan);

        await AssertProblemAsync(await selatan.GetAsync(Campaigns($"/{code}/status")), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await selatan.GetAsync(Campaigns($"/{code}")), HttpStatusCode.Forbidden);
    }

    // Status

    [Test]
    public async Task StatusAddsUpPerKecamatanAndFiltersByKotaAndKecamatan()
    {
        var code = await NewCampaignAsync(JakartaBarat, KepulauanSeribu);
        await CreatedReportAsync(Admin, code, CengkarengBarat);
        await CreatedReportAsync(Admin, code, PulauPanggang);
        Time.SetWib(2020, 12, 16, 8);
        await CreatedReportAsync(Admin, code, DuriKosambi);

        var all = await StatusAsync(code);
        var barat = await StatusAsync(code, $"?kota={JakartaBarat}");
        var cengkareng = await StatusAsync(code, $"?kecamatan={Cengkareng}");
        var both = await StatusAsync(code, $"?kota={JakartaBarat}&kecamatan={Cengkareng}");

        Assert.That(all.GetProperty("campaign").GetString(), Is.EqualTo(code));
        Assert.That(all.GetProperty("asOf").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
        Assert.That(Totals(all), Is.EqualTo((62L, 3L, 2L, 1L, 59L)));
        Assert.That(Totals(barat), Is.EqualTo((56L, 2L, 1L, 1L, 54L)));
        Assert.That(barat.GetProperty("kecamatan").GetArrayLength(), Is.EqualTo(8));
        Assert.That(barat.GetProperty("kelurahan").GetArrayLength(), Is.EqualTo(56));
        Assert.That(Totals(cengkareng), Is.EqualTo((6L, 2L, 1L, 1L, 4L)));
        Assert.That(Totals(both), Is.EqualTo(Totals(cengkareng)));
        var kecamatan = cengkareng.GetProperty("kecamatan").EnumerateArray().Single();
        Assert.That(kecamatan.GetProperty("name").GetString(), Is.EqualTo("Cengkareng"));
        Assert.That(kecamatan.GetProperty("late").GetInt64(), Is.EqualTo(1));
        Assert.That(kecamatan.GetProperty("pending").GetInt64(), Is.EqualTo(4));
        var row = Row(cengkareng, CengkarengBarat);
        Assert.That(row.GetProperty("name").GetString(), Is.EqualTo("Cengkareng Barat"));
        Assert.That(row.GetProperty("kecamatan").GetString(), Is.EqualTo(Cengkareng));
        Assert.That(Row(cengkareng, RawaBuaya).GetProperty("firstReportedAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var sums = all.GetProperty("kecamatan").EnumerateArray().Sum(k => k.GetProperty("kelurahan").GetInt64());
        Assert.That(sums, Is.EqualTo(62));
    }

    [Test]
    public async Task StatusFiltersMustBeKnownAndInsideTheCampaign()
    {
        var code = await NewCampaignAsync(JakartaBarat);

        var unknownKota = await AssertValidationProblemAsync(await Admin.GetAsync(Campaigns($"/{code}/status?kota=31.99")));
        var unknownKecamatan = await AssertValidationProblemAsync(await Admin.GetAsync(Campaigns($"/{code}/status?kecamatan=31.73.99")));
        var mismatch = await AssertValidationProblemAsync(await Admin.GetAsync(Campaigns($"/{code}/status?kota={JakartaSelatan}&kecamatan={Cengkareng}")));
        var outside = await AssertProblemAsync(await Admin.GetAsync(Campaigns($"/{code}/status?kota={JakartaSelatan}")), HttpStatusCode.UnprocessableEntity);
        await AssertProblemAsync(await Admin.GetAsync(Campaigns("/NO-SUCH-CAMPAIGN/status")), HttpStatusCode.NotFound);

        Assert.That(unknownKota["kota"].Single(), Does.Contain("31.99"));
        Assert.That(unknownKecamatan["kecamatan"].Single(), Does.Contain("31.73.99"));
        Assert.That(mismatch.Keys, Does.Contain("kecamatan"));
        Assert.That(outside.GetProperty("detail").GetString(), Does.Contain(JakartaSelatan));
    }

    [Test]
    public async Task IndonesianMessagesForSosialisasiProblems()
    {
        var code = await NewCampaignAsync();
        using var client = App.ClientWithKey(JakpreneurApp.AdminKey, "id");

        var problem = await AssertProblemAsync(await ReportAsync(client, code, ReportBody(TebetTimur)), HttpStatusCode.UnprocessableEntity);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("tidak termasuk kampanye"));
    }

    // Demo

    [Test]
    public async Task DemoSeedLeaves25Of56JakartaBaratKelurahanReportedOnTimeAndIsIdempotent()
    {
        var seed = App.Services.GetServices<IDemoSeed>().OfType<SosialisasiDemoSeed>().Single();

        await seed.SeedAsync(CancellationToken.None);
        await seed.SeedAsync(CancellationToken.None);
        var status = await StatusAsync(SosialisasiDemoSeed.CampaignCode);
        var campaign = await ReadJsonAsync(await Admin.GetAsync(Campaigns($"/{SosialisasiDemoSeed.CampaignCode}")));

        Assert.That(seed.Order, Is.EqualTo(20));
        Assert.That(Totals(status), Is.EqualTo((56L, 25L, 25L, 0L, 31L)));
        Assert.That(status.GetProperty("dueDate").GetString(), Is.EqualTo("2020-12-15"));
        Assert.That(status.GetProperty("kelurahan").EnumerateArray().Sum(k => k.GetProperty("reports").GetInt64()), Is.EqualTo(25));
        Assert.That(campaign.GetProperty("kota").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { JakartaBarat }));
        Assert.That(campaign.GetProperty("title").GetString(), Does.Contain("Jakpreneur").And.Contain("bahan baku"));
    }
}
