using System.Net;
using System.Net.Http.Json;
using Dapper;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Data;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Targets;

public sealed class TargetsTests(string provider) : ApiTest(provider)
{
    private const string Barat = "31.73";
    private const string Timur = "31.75";

    [Test]
    public async Task PutCreatesThenUpdatesWithVersionAndETag()
    {
        var period = await NewPeriodAsync();

        var created = await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/PAREKRAF", new { target = 200 });
        var updated = await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/PAREKRAF", new { target = 250 });
        var body = await ReadJsonAsync(updated);

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(created.Headers.ETag?.Tag, Is.EqualTo("\"1\""));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(updated.Headers.ETag?.Tag, Is.EqualTo("\"2\""));
        Assert.That(body.GetProperty("period").GetString(), Is.EqualTo(period));
        Assert.That(body.GetProperty("kota").GetString(), Is.EqualTo(Barat));
        Assert.That(body.GetProperty("sudin").GetString(), Is.EqualTo("PAREKRAF"));
        Assert.That(body.GetProperty("target").GetInt64(), Is.EqualTo(250));
        Assert.That(body.GetProperty("version").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task StaleIfMatchIs412AndChangesNothing()
    {
        var period = await NewPeriodAsync();
        var url = $"/api/v1/periods/{period}/targets/{Barat}/KPKP";
        var first = await Admin.PutAsJsonAsync(url, new { target = 10 });
        var etag = first.Headers.ETag!.Tag;
        await Admin.PutAsJsonAsync(url, new { target = 20 });

        using var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { target = 30 }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await AssertProblemAsync(await Admin.SendAsync(stale), HttpStatusCode.PreconditionFailed);

        var read = await Admin.GetAsync(url);
        Assert.That((await ReadJsonAsync(read)).GetProperty("target").GetInt64(), Is.EqualTo(20));
        Assert.That(read.Headers.ETag?.Tag, Is.EqualTo("\"2\""));
    }

    [Test]
    public async Task MatchingIfMatchOrStarUpdates()
    {
        var period = await NewPeriodAsync();
        var url = $"/api/v1/periods/{period}/targets/{Barat}/SOSIAL";
        var first = await Admin.PutAsJsonAsync(url, new { target = 10 });

        using var matching = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { target = 11 }) };
        matching.Headers.TryAddWithoutValidation("If-Match", first.Headers.ETag!.Tag);
        var matched = await Admin.SendAsync(matching);
        using var star = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { target = 12 }) };
        star.Headers.TryAddWithoutValidation("If-Match", "*");
        var starred = await Admin.SendAsync(star);

        Assert.That(matched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(starred.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await ReadJsonAsync(starred)).GetProperty("target").GetInt64(), Is.EqualTo(12));
    }

    [Test]
    public async Task IfMatchStarOnAMissingTargetIs412()
    {
        var period = await NewPeriodAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/periods/{period}/targets/{Barat}/PPAPP")
        {
            Content = JsonContent.Create(new { target = 5 }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "*");

        await AssertProblemAsync(await Admin.SendAsync(request), HttpStatusCode.PreconditionFailed);
        Assert.That((await Admin.GetAsync($"/api/v1/periods/{period}/targets/{Barat}/PPAPP")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task NegativeOrMissingTargetIsAValidationProblem()
    {
        var period = await NewPeriodAsync();

        var negative = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { target = -1 }));
        var missing = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { }));

        Assert.That(negative.Keys, Does.Contain("target"));
        Assert.That(missing.Keys, Does.Contain("target"));
    }

    [Test]
    public async Task UnknownPeriodKotaOrSudinIs404NamingTheCode()
    {
        var period = await NewPeriodAsync();

        var noPeriod = await AssertProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/NOPE-P/targets/{Barat}/KPKP", new { target = 1 }), HttpStatusCode.NotFound);
        var noKota = await AssertProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/31.99/KPKP", new { target = 1 }), HttpStatusCode.NotFound);
        var noSudin = await AssertProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/DINAS-X", new { target = 1 }), HttpStatusCode.NotFound);
        var kecamatanAsKota = await AssertProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/31.73.01/KPKP", new { target = 1 }), HttpStatusCode.NotFound);

        Assert.That(noPeriod.GetProperty("detail").GetString(), Does.Contain("NOPE-P"));
        Assert.That(noKota.GetProperty("detail").GetString(), Does.Contain("31.99"));
        Assert.That(noSudin.GetProperty("detail").GetString(), Does.Contain("DINAS-X"));
        Assert.That(kecamatanAsKota.GetProperty("detail").GetString(), Does.Contain("31.73.01"));
    }

    [Test]
    public async Task KotaKeyManagesOnlyItsOwnKota()
    {
        var period = await NewPeriodAsync();
        using var barat = await ClientForAsync(Roles.Kota, kota: Barat);

        var own = await barat.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { target = 7 });
        var other = await barat.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Timur}/KPKP", new { target = 7 });

        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await AssertProblemAsync(other, HttpStatusCode.Forbidden);
        Assert.That((await Admin.GetAsync($"/api/v1/periods/{period}/targets/{Timur}/KPKP")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task SudinAndViewerKeysCannotSetTargets()
    {
        var period = await NewPeriodAsync();
        using var sudin = await ClientForAsync(Roles.Sudin, kota: Barat, sudin: "KPKP");
        using var viewer = await ClientForAsync(Roles.Viewer);

        await AssertProblemAsync(await sudin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { target = 7 }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await viewer.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { target = 7 }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task ListFiltersByKotaAndScopedReadersSeeOnlyTheirKota()
    {
        var period = await NewPeriodAsync();
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/KPKP", new { target = 1 });
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/PPAPP", new { target = 2 });
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Timur}/KPKP", new { target = 3 });
        using var baratViewer = await ClientForAsync(Roles.Viewer, kota: Barat);

        var all = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/targets"));
        var barat = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/targets?kota={Barat}"));
        var scoped = await ReadJsonAsync(await baratViewer.GetAsync($"/api/v1/periods/{period}/targets"));
        var forbidden = await baratViewer.GetAsync($"/api/v1/periods/{period}/targets?kota={Timur}");

        Assert.That(all.GetArrayLength(), Is.EqualTo(3));
        Assert.That(barat.EnumerateArray().Select(t => t.GetProperty("sudin").GetString()), Is.EqualTo(new[] { "KPKP", "PPAPP" }));
        Assert.That(scoped.EnumerateArray().Select(t => t.GetProperty("kota").GetString()), Is.All.EqualTo(Barat));
        Assert.That(scoped.GetArrayLength(), Is.EqualTo(2));
        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task DeclaredTotalCreatesThenUpdates()
    {
        var period = await NewPeriodAsync();
        var url = $"/api/v1/periods/{period}/declared-totals/{Barat}";

        var created = await Admin.PutAsJsonAsync(url, new { total = 15230, source = "Sudin PPKUKM Jakarta Barat, 2020" });
        var updated = await Admin.PutAsJsonAsync(url, new { total = 15300, source = "Revised" });
        var read = await ReadJsonAsync(await Admin.GetAsync(url));

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(read.GetProperty("total").GetInt64(), Is.EqualTo(15300));
        Assert.That(read.GetProperty("source").GetString(), Is.EqualTo("Revised"));
    }

    [Test]
    public async Task DeclaredTotalNeedsTotalAndSourceAndTheKotaKey()
    {
        var period = await NewPeriodAsync();
        using var timur = await ClientForAsync(Roles.Kota, kota: Timur);

        var errors = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/declared-totals/{Barat}", new { total = -5 }));
        await AssertProblemAsync(await timur.PutAsJsonAsync($"/api/v1/periods/{period}/declared-totals/{Barat}", new { total = 5, source = "x" }), HttpStatusCode.Forbidden);

        Assert.That(errors.Keys, Is.SupersetOf(new[] { "total", "source" }));
    }

    [Test]
    public async Task EveryTargetWriteIsAudited()
    {
        var period = await NewPeriodAsync();
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/NAKERTRANSGI", new { target = 700 });
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Barat}/NAKERTRANSGI", new { target = 701 });
        await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/declared-totals/{Barat}", new { total = 1, source = "x" });

        var db = new Db(App.Database.Provider, App.Database.ConnectionString);
        await using var connection = await db.OpenAsync();
        var actions = (await connection.QueryAsync<string>(
            "SELECT action FROM audit_log WHERE entity = 'target' AND entity_id = @id ORDER BY id",
            new { id = $"{period}/{Barat}/NAKERTRANSGI" })).ToList();
        var declared = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'declared-total' AND entity_id = @id", new { id = $"{period}/{Barat}" });

        Assert.That(actions, Is.EqualTo(new[] { "create", "update" }));
        Assert.That(declared, Is.EqualTo(1));
    }
}
