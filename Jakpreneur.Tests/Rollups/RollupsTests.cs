using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Demo;
using Jakpreneur.Core.Targets;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Rollups;

public sealed class RollupsTests(string provider) : ApiTest(provider)
{
    private const string Barat = "31.73";
    private const string Cengkareng = "31.73.01.1001";
    private const string Grogol = "31.73.02.1001";
    private const string PisanganBaru = "31.75.01.1001";

    private async Task PostAsync(string period, string kelurahan, string sudin, long count, string date)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/achievements", new { period, kelurahan, sudin, count, date });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> GetAsync(string url, HttpClient? client = null)
    {
        var response = await (client ?? Admin).GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private static JsonElement Sudin(JsonElement kotaRollup, string code) =>
        kotaRollup.GetProperty("sudin").EnumerateArray().Single(s => s.GetProperty("sudin").GetString() == code);

    [Test]
    public async Task KotaRollupShowsEverySudinTheWalikotaTotalAndKecamatan()
    {
        var period = await NewPeriodAsync();
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { target = 1120 });
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/SOSIAL", new { target = 214 });
        await PostAsync(period, Cengkareng, "KPKP", 200, "2020-05-01");
        await PostAsync(period, Grogol, "KPKP", 80, "2020-06-01");
        await PostAsync(period, Grogol, "SOSIAL", 300, "2020-07-01");
        await PostAsync(period, PisanganBaru, "KPKP", 999, "2020-07-01");

        var rollup = await GetAsync($"/api/v1/periods/{period}/rollup/{Barat}");

        Assert.That(rollup.GetProperty("period").GetString(), Is.EqualTo(period));
        Assert.That(rollup.GetProperty("asOf").GetString(), Is.EqualTo("2020-12-10"));
        Assert.That(rollup.GetProperty("kota").GetProperty("code").GetString(), Is.EqualTo(Barat));
        Assert.That(rollup.GetProperty("kota").GetProperty("name").GetString(), Is.EqualTo("Kota Administrasi Jakarta Barat"));
        Assert.That(rollup.GetProperty("sudin").GetArrayLength(), Is.EqualTo(7));
        var kpkp = Sudin(rollup, "KPKP");
        Assert.That(kpkp.GetProperty("target").GetInt64(), Is.EqualTo(1120));
        Assert.That(kpkp.GetProperty("achieved").GetInt64(), Is.EqualTo(280));
        Assert.That(kpkp.GetProperty("percent").GetDecimal(), Is.EqualTo(25.0m));
        Assert.That(kpkp.GetProperty("remaining").GetInt64(), Is.EqualTo(840));
        Assert.That(kpkp.GetProperty("name").GetString(), Does.Contain("Ketahanan Pangan"));
        var sosial = Sudin(rollup, "SOSIAL");
        Assert.That(sosial.GetProperty("percent").GetDecimal(), Is.EqualTo(140.2m));
        Assert.That(sosial.GetProperty("remaining").GetInt64(), Is.Zero);
        var parekraf = Sudin(rollup, "PAREKRAF");
        Assert.That(parekraf.GetProperty("achieved").GetInt64(), Is.Zero);
        Assert.That(parekraf.GetProperty("percent").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var walikota = rollup.GetProperty("walikota");
        Assert.That(walikota.GetProperty("target").GetInt64(), Is.EqualTo(1334));
        Assert.That(walikota.GetProperty("achieved").GetInt64(), Is.EqualTo(580));
        Assert.That(walikota.GetProperty("percent").GetDecimal(), Is.EqualTo(43.5m));
        Assert.That(walikota.GetProperty("remaining").GetInt64(), Is.EqualTo(754));
        Assert.That(walikota.GetProperty("declaredTotal").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(walikota.GetProperty("discrepancy").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var kecamatan = rollup.GetProperty("kecamatan").EnumerateArray().ToList();
        Assert.That(kecamatan, Has.Count.EqualTo(8));
        var grogol = kecamatan.Single(k => k.GetProperty("code").GetString() == "31.73.02");
        Assert.That(grogol.GetProperty("name").GetString(), Is.EqualTo("Grogol Petamburan"));
        Assert.That(grogol.GetProperty("achieved").GetInt64(), Is.EqualTo(380));
        Assert.That(grogol.GetProperty("bySudin").GetProperty("SOSIAL").GetInt64(), Is.EqualTo(300));
        Assert.That(grogol.GetProperty("bySudin").GetProperty("PPKUKM-UKM").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task AsOfCountsOnlyEntriesDatedOnOrBeforeIt()
    {
        var period = await NewPeriodAsync();
        await PostAsync(period, Cengkareng, "KPKP", 5, "2020-03-01");
        await PostAsync(period, Cengkareng, "KPKP", 7, "2020-06-01");
        await PostAsync(period, Grogol, "KPKP", 11, "2020-12-10");

        async Task<long> AchievedAsync(string? asOf) =>
            Sudin(await GetAsync($"/api/v1/periods/{period}/rollup/{Barat}{(asOf is null ? "" : $"?asOf={asOf}")}"), "KPKP").GetProperty("achieved").GetInt64();

        Assert.That(await AchievedAsync("2020-02-29"), Is.Zero);
        Assert.That(await AchievedAsync("2020-03-01"), Is.EqualTo(5));
        Assert.That(await AchievedAsync("2020-05-31"), Is.EqualTo(5));
        Assert.That(await AchievedAsync("2020-06-01"), Is.EqualTo(12));
        Assert.That(await AchievedAsync("2020-12-09"), Is.EqualTo(12));
        Assert.That(await AchievedAsync(null), Is.EqualTo(23));
        var province = await GetAsync($"/api/v1/periods/{period}/rollup?asOf=2020-06-01");
        Assert.That(province.GetProperty("asOf").GetString(), Is.EqualTo("2020-06-01"));
        Assert.That(province.GetProperty("total").GetProperty("achieved").GetInt64(), Is.EqualTo(12));
    }

    [Test]
    public async Task AReversalCancelsItsEntryAtEveryAsOf()
    {
        var period = await NewPeriodAsync();
        await PostAsync(period, Cengkareng, "PPAPP", 3, "2020-02-01");
        var entry = await ReadJsonAsync(await Admin.PostAsJsonAsync("/api/v1/achievements",
            new { period, kelurahan = Cengkareng, sudin = "PPAPP", count = 40, date = "2020-04-15" }));
        Time.SetWib(2020, 12, 10, 15);
        await Admin.PostAsJsonAsync($"/api/v1/achievements/{entry.GetProperty("id").GetInt64()}/reversal", new { reason = "wrong kelurahan" });
        Time.SetUtcNow(FakeTimeProvider.DefaultStart);

        foreach (var asOf in new[] { "2020-04-14", "2020-04-15", "2020-08-01", "2020-12-10" })
        {
            var rollup = await GetAsync($"/api/v1/periods/{period}/rollup/{Barat}?asOf={asOf}");
            Assert.That(Sudin(rollup, "PPAPP").GetProperty("achieved").GetInt64(), Is.EqualTo(3), asOf);
        }
    }

    [Test]
    public async Task ProvinceRollupListsEveryKotaAndTheTotal()
    {
        var period = await NewPeriodAsync();
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { target = 100 });
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/31.75/KPKP", new { target = 300 });
        await PostAsync(period, Cengkareng, "KPKP", 50, "2020-05-01");
        await PostAsync(period, PisanganBaru, "KPKP", 30, "2020-05-01");

        var rollup = await GetAsync($"/api/v1/periods/{period}/rollup");

        var kota = rollup.GetProperty("kota").EnumerateArray().ToList();
        Assert.That(kota.Select(k => k.GetProperty("code").GetString()), Is.EqualTo(new[] { "31.01", "31.71", "31.72", "31.73", "31.74", "31.75" }));
        var barat = kota.Single(k => k.GetProperty("code").GetString() == Barat);
        Assert.That(barat.GetProperty("percent").GetDecimal(), Is.EqualTo(50.0m));
        Assert.That(barat.GetProperty("remaining").GetInt64(), Is.EqualTo(50));
        Assert.That(kota.Single(k => k.GetProperty("code").GetString() == "31.01").GetProperty("percent").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var total = rollup.GetProperty("total");
        Assert.That(total.GetProperty("target").GetInt64(), Is.EqualTo(400));
        Assert.That(total.GetProperty("achieved").GetInt64(), Is.EqualTo(80));
        Assert.That(total.GetProperty("percent").GetDecimal(), Is.EqualTo(20.0m));
        Assert.That(total.GetProperty("remaining").GetInt64(), Is.EqualTo(320));
    }

    [Test]
    public async Task KotaLimitedReadersSeeOnlyTheirKota()
    {
        var period = await NewPeriodAsync();
        await PostAsync(period, Cengkareng, "KPKP", 50, "2020-05-01");
        await PostAsync(period, PisanganBaru, "KPKP", 30, "2020-05-01");
        using var baratViewer = await ClientForAsync(Roles.Viewer, kota: Barat);
        using var sudin = await ClientForAsync(Roles.Sudin, kota: Barat, sudin: "KPKP");

        var province = await GetAsync($"/api/v1/periods/{period}/rollup", baratViewer);
        var own = await sudin.GetAsync($"/api/v1/periods/{period}/rollup/{Barat}");
        var other = await baratViewer.GetAsync($"/api/v1/periods/{period}/rollup/31.75");
        var otherKelurahan = await sudin.GetAsync($"/api/v1/periods/{period}/rollup/31.75/kelurahan");

        Assert.That(province.GetProperty("kota").EnumerateArray().Select(k => k.GetProperty("code").GetString()), Is.EqualTo(new[] { Barat }));
        Assert.That(province.GetProperty("total").GetProperty("achieved").GetInt64(), Is.EqualTo(50));
        Assert.That(province.GetProperty("scopeKota").GetString(), Is.EqualTo(Barat));
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertProblemAsync(other, HttpStatusCode.Forbidden);
        await AssertProblemAsync(otherKelurahan, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task ETagAnswers304UntilTheFiguresChange()
    {
        var period = await NewPeriodAsync();
        await PostAsync(period, Cengkareng, "KPKP", 5, "2020-03-01");
        var url = $"/api/v1/periods/{period}/rollup/{Barat}";
        var first = await Admin.GetAsync(url);
        var etag = first.Headers.ETag!.Tag;

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var notModified = await Admin.SendAsync(again);
        await PostAsync(period, Cengkareng, "KPKP", 1, "2020-03-02");
        using var afterWrite = new HttpRequestMessage(HttpMethod.Get, url);
        afterWrite.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var changed = await Admin.SendAsync(afterWrite);
        using var province = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/periods/{period}/rollup");
        province.Headers.TryAddWithoutValidation("If-None-Match", (await Admin.GetAsync($"/api/v1/periods/{period}/rollup")).Headers.ETag!.Tag);
        var provinceNotModified = await Admin.SendAsync(province);

        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(notModified.Headers.ETag?.Tag, Is.EqualTo(etag));
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(changed.Headers.ETag?.Tag, Is.Not.EqualTo(etag));
        Assert.That(Sudin(await ReadJsonAsync(changed), "KPKP").GetProperty("achieved").GetInt64(), Is.EqualTo(6));
        Assert.That(provinceNotModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [Test]
    public async Task KelurahanRollupListsEveryKelurahanOfTheKecamatan()
    {
        var period = await NewPeriodAsync();
        await PostAsync(period, Grogol, "SOSIAL", 4, "2020-03-01");
        await PostAsync(period, Grogol, "KPKP", 6, "2020-03-01");

        var rows = (await GetAsync($"/api/v1/periods/{period}/rollup/{Barat}/kelurahan?kecamatan=31.73.02")).EnumerateArray().ToList();
        var all = await GetAsync($"/api/v1/periods/{period}/rollup/{Barat}/kelurahan");

        Assert.That(rows, Has.Count.EqualTo(7));
        var grogol = rows.Single(r => r.GetProperty("code").GetString() == Grogol);
        Assert.That(grogol.GetProperty("name").GetString(), Is.EqualTo("Grogol"));
        Assert.That(grogol.GetProperty("kecamatan").GetString(), Is.EqualTo("31.73.02"));
        Assert.That(grogol.GetProperty("achieved").GetInt64(), Is.EqualTo(10));
        Assert.That(grogol.GetProperty("bySudin").GetProperty("SOSIAL").GetInt64(), Is.EqualTo(4));
        Assert.That(rows.Where(r => r.GetProperty("code").GetString() != Grogol).Select(r => r.GetProperty("achieved").GetInt64()), Is.All.Zero);
        Assert.That(all.GetArrayLength(), Is.EqualTo(56));
    }

    [Test]
    public async Task BadRollupRequestsAreProblemsNamingTheCode()
    {
        var period = await NewPeriodAsync();

        var noPeriod = await AssertProblemAsync(await Admin.GetAsync("/api/v1/periods/NOPE-P/rollup"), HttpStatusCode.NotFound);
        var noKota = await AssertProblemAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/31.99"), HttpStatusCode.NotFound);
        var badAsOf = await AssertValidationProblemAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/{Barat}?asOf=10-12-2020"));
        var foreignKecamatan = await AssertValidationProblemAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/{Barat}/kelurahan?kecamatan=31.75.01"));

        Assert.That(noPeriod.GetProperty("detail").GetString(), Does.Contain("NOPE-P"));
        Assert.That(noKota.GetProperty("detail").GetString(), Does.Contain("31.99"));
        Assert.That(badAsOf.Keys, Does.Contain("asOf"));
        Assert.That(foreignKecamatan["kecamatan"][0], Does.Contain("31.75.01"));
    }

    [Test]
    public async Task DemoSeedShowsTheJakartaBaratDiscrepancyAndIsIdempotent()
    {
        var seed = App.Services.GetServices<IDemoSeed>().OfType<JakartaBaratDemoSeed>().Single();

        await seed.SeedAsync(CancellationToken.None);
        await seed.SeedAsync(CancellationToken.None);
        var rollup = await GetAsync("/api/v1/periods/2020/rollup/31.73?asOf=2020-12-15");
        var period = await GetAsync("/api/v1/periods/2020");
        var targets = await GetAsync("/api/v1/periods/2020/targets?kota=31.73");

        Assert.That(seed.Order, Is.EqualTo(10));
        Assert.That(period.GetProperty("targetDeadline").GetString(), Is.EqualTo("2020-12-15"));
        var walikota = rollup.GetProperty("walikota");
        Assert.That(walikota.GetProperty("target").GetInt64(), Is.EqualTo(15430));
        Assert.That(walikota.GetProperty("declaredTotal").GetInt64(), Is.EqualTo(15230));
        Assert.That(walikota.GetProperty("discrepancy").GetInt64(), Is.EqualTo(-200));
        Assert.That(walikota.GetProperty("declaredSource").GetString(), Does.Contain("Jakarta Barat"));
        Assert.That(Sudin(rollup, "PPKUKM-UKM").GetProperty("target").GetInt64(), Is.EqualTo(9968));
        Assert.That(Sudin(rollup, "PPKUKM-IKM").GetProperty("target").GetInt64(), Is.EqualTo(2668));
        Assert.That(targets.EnumerateArray().Select(t => t.GetProperty("version").GetInt64()), Is.All.EqualTo(1));
        Assert.That(targets.GetArrayLength(), Is.EqualTo(7));
    }
}
