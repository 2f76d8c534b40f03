using System.Net;
using System.Net.Http.Json;
using System.Text;
using Jakpreneur.Core.Auth;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Periods;

public sealed class PeriodsTests(string provider) : ApiTest(provider)
{
    private static object Body(string name = "Jakpreneur 2020") => new
    {
        name,
        startDate = "2020-01-01",
        endDate = "2020-12-31",
        targetDeadline = "2020-12-15",
    };

    [Test]
    public async Task PutCreatesThenUpdates()
    {
        var code = UniqueCode("P");

        var created = await Admin.PutAsJsonAsync($"/api/v1/periods/{code}", Body());
        var updated = await Admin.PutAsJsonAsync($"/api/v1/periods/{code}", Body("Jakpreneur Tahun 2020"));
        var read = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{code}"));

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(created.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/periods/{code}"));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(read.GetProperty("name").GetString(), Is.EqualTo("Jakpreneur Tahun 2020"));
        Assert.That(read.GetProperty("startDate").GetString(), Is.EqualTo("2020-01-01"));
        Assert.That(read.GetProperty("targetDeadline").GetString(), Is.EqualTo("2020-12-15"));
    }

    [Test]
    public async Task ListIncludesACreatedPeriod()
    {
        var code = await NewPeriodAsync();

        var list = await ReadJsonAsync(await Admin.GetAsync("/api/v1/periods"));

        Assert.That(list.EnumerateArray().Select(p => p.GetProperty("code").GetString()), Does.Contain(code));
    }

    [Test]
    public async Task EndBeforeStartIsRejectedAndNothingStored()
    {
        var code = UniqueCode("P");

        var errors = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{code}",
            new { name = "x", startDate = "2020-12-31", endDate = "2020-01-01", targetDeadline = "2020-12-15" }));

        Assert.That(errors.Keys, Does.Contain("endDate"));
        Assert.That((await Admin.GetAsync($"/api/v1/periods/{code}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task MissingFieldsAreListedByJsonName()
    {
        var errors = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync($"/api/v1/periods/{UniqueCode("P")}", new { }));

        Assert.That(errors.Keys, Is.SupersetOf(new[] { "name", "startDate", "endDate", "targetDeadline" }));
    }

    [Test]
    public async Task IndonesianMessagesWithAcceptLanguageId()
    {
        using var client = App.ClientWithKey(JakpreneurApp.AdminKey, "id");

        var problem = await AssertProblemAsync(await client.PutAsJsonAsync($"/api/v1/periods/{UniqueCode("P")}", new { }), HttpStatusCode.BadRequest);

        Assert.That(problem.GetProperty("title").GetString(), Does.Contain("kesalahan validasi"));
        Assert.That(problem.GetProperty("errors").GetProperty("name")[0].GetString(), Does.Contain("tidak boleh kosong"));
    }

    [Test]
    public async Task MalformedJsonIs400Problem()
    {
        var response = await Admin.PutAsync($"/api/v1/periods/{UniqueCode("P")}",
            new StringContent("{\"name\": \"x\", ", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task WrongTypeNamesTheField()
    {
        var response = await Admin.PutAsync($"/api/v1/periods/{UniqueCode("P")}",
            new StringContent("{\"name\": \"x\", \"startDate\": 20200101}", Encoding.UTF8, "application/json"));

        var errors = await AssertValidationProblemAsync(response);
        Assert.That(errors.Keys, Does.Contain("startDate"));
    }

    [Test]
    public async Task WrongContentTypeIs415Problem()
    {
        var response = await Admin.PutAsync($"/api/v1/periods/{UniqueCode("P")}", new StringContent("name=x", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Test]
    public async Task OversizedBodyIs413Problem()
    {
        var huge = new string('x', 11 * 1024 * 1024);
        var response = await Admin.PutAsync($"/api/v1/periods/{UniqueCode("P")}",
            new StringContent($"{{\"name\": \"{huge}\"}}", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task BadPeriodCodeIsAValidationProblem()
    {
        var errors = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync("/api/v1/periods/bad%20code", Body()));

        Assert.That(errors.Keys, Does.Contain("code"));
    }

    [Test]
    public async Task UnknownPeriodIs404Problem()
    {
        var problem = await AssertProblemAsync(await Admin.GetAsync("/api/v1/periods/NOPE"), HttpStatusCode.NotFound);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("NOPE"));
    }

    [Test]
    public async Task OnlyAdminMayWritePeriods()
    {
        using var kota = await ClientForAsync(Roles.Kota, kota: "31.73");
        var code = UniqueCode("P");

        await AssertProblemAsync(await kota.PutAsJsonAsync($"/api/v1/periods/{code}", Body()), HttpStatusCode.Forbidden);
        Assert.That((await kota.GetAsync($"/api/v1/periods/{code}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
