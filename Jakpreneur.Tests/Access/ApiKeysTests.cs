using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Data;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Access;

public sealed class ApiKeysTests(string provider) : ApiTest(provider)
{
    private async Task<JsonElement> CreateKeyAsync(object body)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/api-keys", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    [Test]
    public async Task AdminCreatesAKeyThatWorksAndIsShownOnce()
    {
        var created = await CreateKeyAsync(new { name = "Sudin UKM Jakarta Barat", role = "sudin", kota = Codes.Barat, sudin = Codes.Ukm });
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        using var client = App.ClientWithKey(key);

        var regions = await client.GetAsync("/api/v1/regions?level=kota");
        var listed = await ReadJsonAsync(await Admin.GetAsync("/api/v1/api-keys"));
        var one = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/api-keys/{id}"));

        Assert.That(regions.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(created.GetProperty("role").GetString(), Is.EqualTo("sudin"));
        Assert.That(created.GetProperty("kota").GetString(), Is.EqualTo(Codes.Barat));
        Assert.That(created.GetProperty("sudin").GetString(), Is.EqualTo(Codes.Ukm));
        Assert.That(key, Does.StartWith($"jkp_{created.GetProperty("prefix").GetString()}_"));
        Assert.That(created.GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
        var row = listed.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("active"));
        Assert.That(one.GetProperty("name").GetString(), Is.EqualTo("Sudin UKM Jakarta Barat"));
        foreach (var shown in new[] { listed.ToString(), one.ToString() })
        {
            Assert.That(shown, Does.Not.Contain(key).And.Not.Contain("hash").IgnoreCase.And.Not.Contain(ApiKeyFormat.Hash(key)));
        }
    }

    [Test]
    public async Task KelurahanKeyTakesItsKotaFromTheKelurahan()
    {
        var created = await CreateKeyAsync(new { name = "Lurah Tebet Timur", role = "kelurahan", kelurahan = Codes.TebetTimur });

        Assert.That(created.GetProperty("kota").GetString(), Is.EqualTo(Codes.Selatan));
        Assert.That(created.GetProperty("kelurahan").GetString(), Is.EqualTo(Codes.TebetTimur));
    }

    private static IEnumerable<TestCaseData> BadScopes()
    {
        TestCaseData Case(string name, object body, params string[] fields) => new TestCaseData(body, fields).SetArgDisplayNames(name);
        yield return Case("unknown role", new { name = "x", role = "superuser" }, "role");
        yield return Case("no name", new { role = "viewer" }, "name");
        yield return Case("kota key without kota", new { name = "x", role = "kota" }, "kota");
        yield return Case("kota key with a kecamatan code", new { name = "x", role = "kota", kota = "31.73.08" }, "kota");
        yield return Case("kota key with sudin", new { name = "x", role = "kota", kota = Codes.Barat, sudin = Codes.Kpkp }, "sudin");
        yield return Case("sudin key without sudin", new { name = "x", role = "sudin", kota = Codes.Barat }, "sudin");
        yield return Case("sudin key without kota", new { name = "x", role = "sudin", sudin = Codes.Kpkp }, "kota");
        yield return Case("sudin key with unknown sudin", new { name = "x", role = "sudin", kota = Codes.Barat, sudin = "DINAS-X" }, "sudin");
        yield return Case("sudin key with kelurahan", new { name = "x", role = "sudin", kota = Codes.Barat, sudin = Codes.Kpkp, kelurahan = Codes.KembanganUtara }, "kelurahan");
        yield return Case("kelurahan key without kelurahan", new { name = "x", role = "kelurahan" }, "kelurahan");
        yield return Case("kelurahan key with a kota code as kelurahan", new { name = "x", role = "kelurahan", kelurahan = Codes.Barat }, "kelurahan");
        yield return Case("kelurahan key with another kota", new { name = "x", role = "kelurahan", kelurahan = Codes.TebetTimur, kota = Codes.Barat }, "kota");
        yield return Case("viewer with sudin", new { name = "x", role = "viewer", sudin = Codes.Kpkp }, "sudin");
        yield return Case("viewer with unknown kota", new { name = "x", role = "viewer", kota = "31.99" }, "kota");
        yield return Case("admin with kota", new { name = "x", role = "admin", kota = Codes.Barat }, "kota");
        yield return Case("expiry in the past", new { name = "x", role = "viewer", expiresAt = "2020-12-09T00:00:00+07:00" }, "expiresAt");
        yield return Case("expiry without offset", new { name = "x", role = "viewer", expiresAt = "2021-01-01T00:00:00" }, "expiresAt");
    }

    [TestCaseSource(nameof(BadScopes))]
    public async Task BadRoleOrScopeIs400NamingTheFieldAndStoresNothing(object body, string[] fields)
    {
        var keysBefore = await CountAsync("SELECT COUNT(*) FROM api_keys");
        var auditBefore = await CountAsync("SELECT COUNT(*) FROM audit_log");

        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys", body));

        Assert.That(errors.Keys, Is.SupersetOf(fields));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM api_keys"), Is.EqualTo(keysBefore));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM audit_log"), Is.EqualTo(auditBefore));
    }

    [Test]
    public async Task UnknownCodesAreNamedInTheMessage()
    {
        var errors = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "x", role = "sudin", kota = "31.99", sudin = "DINAS-X" }));

        Assert.That(errors["kota"][0], Does.Contain("'31.99'"));
        Assert.That(errors["sudin"][0], Does.Contain("'DINAS-X'"));
    }

    [Test]
    public async Task RevokedKeyIsRefusedAtOnce()
    {
        var created = await CreateKeyAsync(new { name = "to revoke", role = "viewer" });
        using var client = App.ClientWithKey(created.GetProperty("key").GetString());
        var before = await client.GetAsync("/api/v1/sudin");

        var revoke = await Admin.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("id").GetString()}");
        var after = await client.GetAsync("/api/v1/sudin");
        var again = await Admin.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("id").GetString()}");
        var listed = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/api-keys/{created.GetProperty("id").GetString()}"));

        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var problem = await AssertProblemAsync(after, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("revoked"));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "revoking twice is a harmless retry");
        Assert.That(listed.GetProperty("status").GetString(), Is.EqualTo("revoked"));
        Assert.That(listed.GetProperty("revokedAt").GetDateTimeOffset(), Is.EqualTo(Time.GetUtcNow()));
    }

    [Test]
    public async Task RevokingAnUnknownKeyIs404()
    {
        await AssertProblemAsync(await Admin.DeleteAsync("/api/v1/api-keys/no-such-key"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task ExpiredKeyIsRefused()
    {
        var start = Time.GetUtcNow();
        var created = await CreateKeyAsync(new { name = "one hour", role = "viewer", expiresAt = start.AddHours(1).ToString("O") });
        using var client = App.ClientWithKey(created.GetProperty("key").GetString());
        try
        {
            var before = await client.GetAsync("/api/v1/sudin");
            Time.SetUtcNow(start.AddHours(1));
            var after = await client.GetAsync("/api/v1/sudin");
            var listed = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/api-keys/{created.GetProperty("id").GetString()}"));

            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await AssertProblemAsync(after, HttpStatusCode.Unauthorized);
            Assert.That(listed.GetProperty("status").GetString(), Is.EqualTo("expired"));
        }
        finally
        {
            Time.SetUtcNow(start);
        }
    }

    [Test]
    public async Task KeysAreNotStoredInClear()
    {
        var created = await CreateKeyAsync(new { name = "stored hashed", role = "kota", kota = Codes.Barat });
        var key = created.GetProperty("key").GetString()!;
        var secret = key.Split('_')[2];

        await using (var connection = await App.Services.GetRequiredService<Db>().OpenAsync())
        {
            var hash = await connection.ExecuteScalarAsync<string>("SELECT key_hash FROM api_keys WHERE id = @id", new { id = created.GetProperty("id").GetString() });
            Assert.That(hash, Is.Not.EqualTo(key).And.Not.Contains(secret));
            Assert.That(hash, Is.EqualTo(ApiKeyFormat.Hash(key)));
            var keyRows = await connection.QueryAsync<(string Id, string Name, string Prefix, string Hash)>(
                "SELECT id, name, prefix, key_hash FROM api_keys");
            var auditRows = await connection.QueryAsync<(string? Before, string? After)>(
                "SELECT before_json, after_json FROM audit_log");
            var rows = keyRows.Select(r => string.Join('|', r.Id, r.Name, r.Prefix, r.Hash))
                .Concat(auditRows.Select(r => r.Before + "|" + r.After)).ToList();
            Assert.That(rows, Has.None.Contains(secret));
        }
        if (App.Database.FilePath is { } file)
        {
            // The whole SQLite file and its write-ahead log, byte for byte.
            foreach (var path in new[] { file, file + "-wal" }.Where(File.Exists))
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory);
                Assert.That(memory.ToArray().AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)), Is.EqualTo(-1), $"{path} holds the key");
            }
        }
    }

    [Test]
    public async Task BootstrapKeyIsStoredHashedToo()
    {
        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        var hash = await connection.ExecuteScalarAsync<string>("SELECT key_hash FROM api_keys WHERE id = 'bootstrap'");

        Assert.That(hash, Is.EqualTo(ApiKeyFormat.Hash(JakpreneurApp.AdminKey)).And.Not.Contain(JakpreneurApp.AdminKey));
    }

    [Test]
    public async Task MissingAndUnknownKeysAre401ProblemsAndWrongRoleIs403Problem()
    {
        using var anonymous = App.ClientWithKey(null, "id");
        using var unknown = App.ClientWithKey("jkp_0123456789ab_nope");
        using var viewer = await ClientForAsync(Roles.Viewer);

        var missing = await AssertProblemAsync(await anonymous.GetAsync("/api/v1/api-keys"), HttpStatusCode.Unauthorized);
        var wrong = await AssertProblemAsync(await unknown.GetAsync("/api/v1/api-keys"), HttpStatusCode.Unauthorized);
        var forbidden = await AssertProblemAsync(await viewer.PostAsJsonAsync("/api/v1/api-keys", new { name = "x", role = "admin" }), HttpStatusCode.Forbidden);

        Assert.That(missing.GetProperty("detail").GetString(), Does.Contain("X-Api-Key"));
        Assert.That((await anonymous.GetAsync("/api/v1/sudin")).Headers.WwwAuthenticate.ToString(), Does.Contain("X-Api-Key"));
        Assert.That(missing.GetProperty("title").GetString(), Is.EqualTo("Tidak terautentikasi"));
        Assert.That(wrong.GetProperty("detail").GetString(), Does.Contain("unknown"));
        Assert.That(forbidden.GetProperty("title").GetString(), Is.EqualTo("Forbidden"));
    }

    [Test]
    public async Task AKeyWhoseScopeDoesNotFitItsRoleIsRefused()
    {
        // A damaged row (a kota key without its kota) must not fall through to a province-wide read.
        var created = await CreateKeyAsync(new { name = "damaged", role = "kota", kota = Codes.Barat });
        await using (var connection = await App.Services.GetRequiredService<Db>().OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE api_keys SET kota = NULL WHERE id = @id", new { id = created.GetProperty("id").GetString() });
        }
        using var client = App.ClientWithKey(created.GetProperty("key").GetString());

        await AssertProblemAsync(await client.GetAsync("/api/v1/audit"), HttpStatusCode.Unauthorized);
    }
}
