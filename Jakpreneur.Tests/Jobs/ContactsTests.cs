using System.Net;
using System.Net.Http.Json;
using Dapper;
using Jakpreneur.Api.Contacts;
using Jakpreneur.Core.Data;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace Jakpreneur.Tests.Jobs;

public sealed class ContactsTests(string provider) : ApiTest(provider)
{
    [Test]
    public async Task PutCreatesThenUpdatesAndAuditsBoth()
    {
        const string region = "31.74.01.1001"; // Tebet Timur
        var created = await Admin.PutAsJsonAsync($"/api/v1/contacts/{region}", new { name = "Lurah Tebet Timur", email = "lurah.tebettimur@example.go.id" });
        var updated = await Admin.PutAsJsonAsync($"/api/v1/contacts/{region}",
            new { name = "Lurah Tebet Timur", email = "tebettimur@example.go.id", webhookUrl = "https://wa.example.org/hook" });
        var body = await ReadJsonAsync(updated);

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        Assert.That(created.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/contacts/{region}"));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("level").GetString(), Is.EqualTo("kelurahan"));
        Assert.That(body.GetProperty("kota").GetString(), Is.EqualTo("31.74"));
        Assert.That(body.GetProperty("kecamatan").GetString(), Is.EqualTo("31.74.01"));
        Assert.That(body.GetProperty("webhookUrl").GetString(), Is.EqualTo("https://wa.example.org/hook"));
        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        var actions = await connection.QueryAsync<string>("SELECT action FROM audit_log WHERE entity = 'contact' AND entity_id = @region ORDER BY id", new { region });
        Assert.That(actions, Is.EqualTo(new[] { "create", "update" }));
    }

    [Test]
    public async Task AContactNeedsAChannelAValidEmailAndAnHttpUrl()
    {
        var none = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync("/api/v1/contacts/31.74.01", new { name = "Camat Tebet" }));
        var email = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync("/api/v1/contacts/31.74.01", new { name = "Camat Tebet", email = "camat@tebet" }));
        var url = await AssertValidationProblemAsync(await Admin.PutAsJsonAsync("/api/v1/contacts/31.74.01", new { name = "Camat Tebet", webhookUrl = "ftp://x.example.org/" }));

        Assert.That(none.Keys, Does.Contain("email"));
        Assert.That(email.Keys, Does.Contain("email"));
        Assert.That(url.Keys, Does.Contain("webhookUrl"));
        Assert.That((await ReadJsonAsync(await Admin.GetAsync("/api/v1/contacts?parent=31.74.01"))).EnumerateArray()
            .Any(c => c.GetProperty("region").GetString() == "31.74.01"), Is.False, "a rejected contact is not stored");
    }

    [Test]
    public void WebhooksMustBeHttpsOutsideDevelopmentAndTesting()
    {
        var production = new ContactRequestValidator(new HostingEnvironment { EnvironmentName = "Production" });
        var development = new ContactRequestValidator(new HostingEnvironment { EnvironmentName = "Development" });

        Assert.That(production.Validate(new ContactRequest("Camat", null, "http://127.0.0.1:9000/hook")).IsValid, Is.False);
        Assert.That(production.Validate(new ContactRequest("Camat", null, "https://gateway.example.org/hook")).IsValid, Is.True);
        Assert.That(development.Validate(new ContactRequest("Camat", null, "http://127.0.0.1:9000/hook")).IsValid, Is.True);
    }

    [Test]
    public async Task UnknownRegionIs404NamingTheCode()
    {
        var problem = await AssertProblemAsync(await Admin.PutAsJsonAsync("/api/v1/contacts/31.99.99", new { name = "x", email = "x@example.org" }), HttpStatusCode.NotFound);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("31.99.99"));
    }

    [Test]
    public async Task KotaKeyManagesOnlyItsOwnKotaAndReadsOnlyItsOwnContacts()
    {
        using var jaksel = await ClientForAsync("kota", kota: "31.74");
        await Admin.PutAsJsonAsync("/api/v1/contacts/31.75", new { name = "Ekonomi Jaktim", email = "ekonomi.jaktim@example.go.id" });

        var own = await jaksel.PutAsJsonAsync("/api/v1/contacts/31.74", new { name = "Ekonomi Jaksel", email = "ekonomi.jaksel@example.go.id" });
        await AssertProblemAsync(await jaksel.PutAsJsonAsync("/api/v1/contacts/31.75.01", new { name = "Camat", email = "camat@example.go.id" }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await jaksel.GetAsync("/api/v1/contacts?parent=31.75"), HttpStatusCode.Forbidden);
        var listed = (await ReadJsonAsync(await jaksel.GetAsync("/api/v1/contacts"))).EnumerateArray().Select(c => c.GetProperty("kota").GetString()).ToList();

        Assert.That(own.StatusCode, Is.AnyOf(HttpStatusCode.Created, HttpStatusCode.OK));
        Assert.That(listed, Is.Not.Empty.And.All.EqualTo("31.74"));
    }

    [Test]
    public async Task ListByParentGivesTheRegionAndEverythingUnderIt()
    {
        await Admin.PutAsJsonAsync("/api/v1/contacts/31.71", new { name = "Ekonomi Jakpus", email = "ekonomi.jakpus@example.go.id" });
        await Admin.PutAsJsonAsync("/api/v1/contacts/31.71.01", new { name = "Camat Gambir", email = "camat.gambir@example.go.id" });
        await Admin.PutAsJsonAsync("/api/v1/contacts/31.71.01.1001", new { name = "Lurah Gambir", email = "lurah.gambir@example.go.id" });
        await Admin.PutAsJsonAsync("/api/v1/contacts/31.71.02.1001", new { name = "Lurah Lain", email = "lurah.lain@example.go.id" });

        var kecamatan = (await ReadJsonAsync(await Admin.GetAsync("/api/v1/contacts?parent=31.71.01"))).EnumerateArray().Select(c => c.GetProperty("region").GetString()).ToList();
        var kota = (await ReadJsonAsync(await Admin.GetAsync("/api/v1/contacts?parent=31.71"))).EnumerateArray().Select(c => c.GetProperty("region").GetString()).ToList();

        Assert.That(kecamatan, Is.EqualTo(new[] { "31.71.01", "31.71.01.1001" }));
        Assert.That(kota, Is.SupersetOf(new[] { "31.71", "31.71.01", "31.71.01.1001", "31.71.02.1001" }));
    }
}
