using System.Net;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Reference;

public sealed class ReferenceTests(string provider) : ApiTest(provider)
{
    [Test]
    public async Task KotaListHoldsTheSixKotaOfDkiIncludingKepulauanSeribu()
    {
        var json = await ReadJsonAsync(await Admin.GetAsync("/api/v1/regions?level=kota"));

        var codes = json.EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToArray();
        Assert.That(codes, Is.EqualTo(new[] { "31.01", "31.71", "31.72", "31.73", "31.74", "31.75" }));
        Assert.That(json[0].GetProperty("level").GetString(), Is.EqualTo("kota"));
        Assert.That(json[0].GetProperty("parentCode").GetString(), Is.EqualTo("31"));
    }

    [Test]
    public async Task JakartaBaratHas56KelurahanIn8Kecamatan()
    {
        var kecamatan = await ReadJsonAsync(await Admin.GetAsync("/api/v1/regions?level=kecamatan&parent=31.73"));
        var kelurahan = 0;
        foreach (var k in kecamatan.EnumerateArray())
        {
            var children = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/regions?parent={k.GetProperty("code").GetString()}"));
            kelurahan += children.GetArrayLength();
        }

        Assert.That(kecamatan.GetArrayLength(), Is.EqualTo(8));
        Assert.That(kelurahan, Is.EqualTo(56));
    }

    [Test]
    public async Task AllOfDkiHas267Kelurahan()
    {
        var json = await ReadJsonAsync(await Admin.GetAsync("/api/v1/regions?level=kelurahan"));

        Assert.That(json.GetArrayLength(), Is.EqualTo(267));
    }

    [Test]
    public async Task RegionDetailListsItsChildren()
    {
        var json = await ReadJsonAsync(await Admin.GetAsync("/api/v1/regions/31.73.08"));

        Assert.That(json.GetProperty("name").GetString(), Is.EqualTo("Kembangan"));
        Assert.That(json.GetProperty("level").GetString(), Is.EqualTo("kecamatan"));
        Assert.That(json.GetProperty("parentCode").GetString(), Is.EqualTo("31.73"));
        Assert.That(json.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("code").GetString()),
            Does.Contain("31.73.08.1001"));
    }

    [Test]
    public async Task UnknownRegionIsA404ProblemNamingTheCode()
    {
        var problem = await AssertProblemAsync(await Admin.GetAsync("/api/v1/regions/31.99"), HttpStatusCode.NotFound);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("31.99"));
    }

    [Test]
    public async Task UnknownLevelIsAValidationProblem()
    {
        var errors = await AssertValidationProblemAsync(await Admin.GetAsync("/api/v1/regions?level=desa"));

        Assert.That(errors.Keys, Does.Contain("level"));
    }

    [Test]
    public async Task SudinListHasTheSevenFixedCodesWithFullNames()
    {
        var json = await ReadJsonAsync(await Admin.GetAsync("/api/v1/sudin"));

        Assert.That(json.EnumerateArray().Select(s => s.GetProperty("code").GetString()), Is.EqualTo(new[]
        {
            "PAREKRAF", "NAKERTRANSGI", "PPKUKM-UKM", "PPKUKM-IKM", "SOSIAL", "PPAPP", "KPKP",
        }));
        Assert.That(json.EnumerateArray().All(s => s.GetProperty("name").GetString()!.StartsWith("Suku Dinas")), Is.True);
    }

    [Test]
    public async Task ReadingWithoutAKeyIs401Problem()
    {
        using var anonymous = App.ClientWithKey(null);

        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/regions"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task ReadingWithAnUnknownKeyIs401Problem()
    {
        using var stranger = App.ClientWithKey("jkp_000000000000_notarealkey");

        await AssertProblemAsync(await stranger.GetAsync("/api/v1/sudin"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task HealthAndSwaggerAreOpen()
    {
        using var anonymous = App.ClientWithKey(null);

        Assert.That((await anonymous.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await anonymous.GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var swagger = await anonymous.GetAsync("/swagger/v1/swagger.json");
        Assert.That(swagger.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var document = await ReadJsonAsync(swagger);
        Assert.That(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("ApiKey", out _), Is.True);
    }

    [Test]
    public async Task SwaggerDocumentCarriesExampleBodiesAndProblemResponses()
    {
        var document = await ReadJsonAsync(await Admin.GetAsync("/swagger/v1/swagger.json"));

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.That(schemas.GetProperty("BatchRequest").GetProperty("example").GetProperty("entries").GetArrayLength(), Is.EqualTo(2));
        Assert.That(schemas.GetProperty("TargetRequest").GetProperty("example").GetProperty("target").GetInt32(), Is.EqualTo(9968));
        var putTarget = document.GetProperty("paths").GetProperty("/api/v1/periods/{period}/targets/{kota}/{sudin}").GetProperty("put");
        Assert.That(putTarget.GetProperty("summary").GetString(), Is.Not.Empty);
        Assert.That(putTarget.GetProperty("responses").TryGetProperty("400", out _), Is.True);
        var live = document.GetProperty("paths").GetProperty("/health/live").GetProperty("get");
        Assert.That(live.GetProperty("security").GetArrayLength(), Is.Zero, "health is open: no key required");
    }

    [Test]
    public async Task UnknownRouteIs404Problem()
    {
        await AssertProblemAsync(await Admin.GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound);
    }
}
