using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Rollups;

/// <summary>Roll-ups are reused between writes; every kind of write must show in the very next read.</summary>
public sealed class RollupFreshnessTests(string provider) : ApiTest(provider)
{
    [Test]
    public async Task EveryKindOfWriteShowsInTheNextRollupOfEveryView()
    {
        var period = await NewPeriodAsync();
        async Task<(JsonElement Kota, JsonElement Province, JsonElement Kelurahan)> ReadAsync() => (
            await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/31.73")),
            await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup")),
            await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/31.73/kelurahan?kecamatan=31.73.08")));
        static long Walikota(JsonElement kota, string field) => kota.GetProperty("walikota").GetProperty(field).GetInt64();
        static long ProvinceAchieved(JsonElement province) => province.GetProperty("total").GetProperty("achieved").GetInt64();
        static long KelurahanAchieved(JsonElement rows) => rows.EnumerateArray().Single(r => r.GetProperty("code").GetString() == "31.73.08.1001").GetProperty("achieved").GetInt64();

        var empty = await ReadAsync();
        (await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/31.73/KPKP", new { target = 1120 })).EnsureSuccessStatusCode();
        var afterTarget = await ReadAsync();
        (await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/declared-totals/31.73", new { total = 1000, source = "test" })).EnsureSuccessStatusCode();
        var afterDeclared = await ReadAsync();
        var posted = await Admin.PostAsJsonAsync("/api/v1/achievements", new { period, kelurahan = "31.73.08.1001", sudin = "KPKP", count = 40, date = "2020-06-01" });
        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var afterPost = await ReadAsync();
        var id = (await ReadJsonAsync(posted)).GetProperty("id").ToString();
        (await Admin.PostAsJsonAsync($"/api/v1/achievements/{id}/reversal", new { reason = "test" })).EnsureSuccessStatusCode();
        var afterReversal = await ReadAsync();

        Assert.That(Walikota(empty.Kota, "target"), Is.Zero);
        Assert.That(Walikota(afterTarget.Kota, "target"), Is.EqualTo(1120));
        Assert.That(afterTarget.Province.GetProperty("total").GetProperty("target").GetInt64(), Is.EqualTo(1120));
        Assert.That(Walikota(afterDeclared.Kota, "discrepancy"), Is.EqualTo(-120));
        Assert.That(Walikota(afterPost.Kota, "achieved"), Is.EqualTo(40));
        Assert.That(ProvinceAchieved(afterPost.Province), Is.EqualTo(40));
        Assert.That(KelurahanAchieved(afterPost.Kelurahan), Is.EqualTo(40));
        Assert.That(Walikota(afterReversal.Kota, "achieved"), Is.Zero);
        Assert.That(ProvinceAchieved(afterReversal.Province), Is.Zero);
        Assert.That(KelurahanAchieved(afterReversal.Kelurahan), Is.Zero);
    }

    [Test]
    public async Task AsOfViewsOfTheSamePeriodAreKeptApart()
    {
        var period = await NewPeriodAsync();
        (await Admin.PostAsJsonAsync("/api/v1/achievements", new { period, kelurahan = "31.73.08.1001", sudin = "SOSIAL", count = 5, date = "2020-03-01" })).EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/v1/achievements", new { period, kelurahan = "31.73.08.1001", sudin = "SOSIAL", count = 7, date = "2020-09-01" })).EnsureSuccessStatusCode();

        var march = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup?asOf=2020-03-31"));
        var today = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup"));
        var marchAgain = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup?asOf=2020-03-31"));

        Assert.That(march.GetProperty("total").GetProperty("achieved").GetInt64(), Is.EqualTo(5));
        Assert.That(today.GetProperty("total").GetProperty("achieved").GetInt64(), Is.EqualTo(12));
        Assert.That(marchAgain.GetProperty("total").GetProperty("achieved").GetInt64(), Is.EqualTo(5));
    }
}
