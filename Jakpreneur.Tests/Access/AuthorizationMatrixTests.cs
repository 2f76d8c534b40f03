using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Auth;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Access;

/// <summary>What a row expects: any 2xx, or exactly 401, 403 or 404 (as problem+json).</summary>
public enum Expect
{
    Success,
    Unauthorized,
    Forbidden,
    NotFound,
}

/// <summary>Who calls: no key, a key the API never issued, a revoked key, or a key of a role and scope.</summary>
public sealed record Who(string Label, string? Role, string? Kota = null, string? Sudin = null, string? Kelurahan = null)
{
    public static readonly Who Anonymous = new("anonymous", null);
    public static readonly Who UnknownKey = new("unknown key", "unknown");
    public static readonly Who RevokedKey = new("revoked admin key", "revoked");
    public static readonly Who Admin = new("admin", Roles.Admin);
    public static readonly Who KotaBarat = new("kota Jakarta Barat", Roles.Kota, Codes.Barat);
    public static readonly Who SudinBaratUkm = new("sudin PPKUKM-UKM Jakarta Barat", Roles.Sudin, Codes.Barat, Codes.Ukm);
    public static readonly Who KelurahanKembanganUtara = new("kelurahan Kembangan Utara", Roles.Kelurahan, Codes.Barat, Kelurahan: Codes.KembanganUtara);
    public static readonly Who Viewer = new("viewer (all DKI)", Roles.Viewer);
    public static readonly Who ViewerBarat = new("viewer Jakarta Barat", Roles.Viewer, Codes.Barat);

    /// <summary>Every holder of a valid key.</summary>
    public static readonly Who[] Keys = [Admin, KotaBarat, SudinBaratUkm, KelurahanKembanganUtara, Viewer, ViewerBarat];

    /// <summary>Every caller that must get 401.</summary>
    public static readonly Who[] Unauthenticated = [Anonymous, UnknownKey, RevokedKey];

    public override string ToString() => Label;
}

public static class Codes
{
    public const string Barat = "31.73";
    public const string Selatan = "31.74";
    public const string KembanganUtara = "31.73.08.1001";
    public const string TebetTimur = "31.74.01.1001";
    public const string Ukm = "PPKUKM-UKM";
    public const string Kpkp = "KPKP";
}

/// <summary>
/// One request of the matrix. <see cref="Route"/> and <see cref="Body"/> may hold placeholders
/// such as <c>{period}</c>, resolved per request by <see cref="AuthorizationMatrixTests"/>.
/// </summary>
public sealed record Access(string Method, string Route, string? Body, Who Who, Expect Expect)
{
    public override string ToString() => $"{Method} {Route} as {Who} -> {Expect}";
}

/// <summary>
/// Every endpoint against every role and scope: 2xx, 401, 403 or 404. Rows are data: add a
/// feature's endpoints as rows below (and any placeholder they need in <see cref="Placeholders"/>).
/// </summary>
public sealed class AuthorizationMatrixTests(string provider) : ApiTest(provider)
{
    private readonly Dictionary<Who, HttpClient> _clients = [];
    private string? _period;

    private static readonly string PeriodBody = """
        {"name":"Matrix","startDate":"2020-01-01","endDate":"2020-12-31","targetDeadline":"2020-12-15"}
        """;

    private static readonly string ViewerKeyBody = """{"name":"matrix viewer","role":"viewer","kota":"31.73"}""";

    public static IEnumerable<TestCaseData> Rows() =>
        Matrix().Select(row => new TestCaseData(row).SetArgDisplayNames(row.ToString()));

    private static IEnumerable<Access> Matrix()
    {
        // ---- Health and docs: open to everyone ----
        foreach (var row in Open("GET", "/health/live")) yield return row;
        foreach (var row in Open("GET", "/health/ready")) yield return row;
        foreach (var row in Open("GET", "/swagger/v1/swagger.json")) yield return row;

        // ---- Reference: any valid key ----
        foreach (var row in AnyKey("GET", "/api/v1/regions?level=kota")) yield return row;
        foreach (var row in AnyKey("GET", $"/api/v1/regions/{Codes.Barat}")) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/regions/99.99", Expect.NotFound)) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/sudin")) yield return row;

        // ---- Periods: every key reads, admin writes ----
        foreach (var row in AnyKey("GET", "/api/v1/periods")) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/periods/{period}")) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/periods/{missing}", Expect.NotFound)) yield return row;
        foreach (var row in AdminOnly("PUT", "/api/v1/periods/{newCode}", PeriodBody)) yield return row;

        // ---- Keys: admin only; unknown ids are 404 for admin, 403 for everyone else ----
        foreach (var row in AdminOnly("POST", "/api/v1/api-keys", ViewerKeyBody)) yield return row;
        foreach (var row in AdminOnly("GET", "/api/v1/api-keys")) yield return row;
        foreach (var row in AdminOnly("GET", "/api/v1/api-keys/{freshKey}")) yield return row;
        foreach (var row in AdminOnly("GET", "/api/v1/api-keys/{missing}", admin: Expect.NotFound)) yield return row;
        foreach (var row in AdminOnly("DELETE", "/api/v1/api-keys/{freshKey}")) yield return row;
        foreach (var row in AdminOnly("DELETE", "/api/v1/api-keys/{missing}", admin: Expect.NotFound)) yield return row;

        // ---- Audit: admin sees all, a kota key its own kota, nobody else ----
        foreach (var row in Each("GET", "/api/v1/audit", null, ForbiddenExcept((Who.Admin, Expect.Success), (Who.KotaBarat, Expect.Success)))) yield return row;
        foreach (var row in Each("GET", $"/api/v1/audit?kota={Codes.Barat}", null, ForbiddenExcept((Who.Admin, Expect.Success), (Who.KotaBarat, Expect.Success)))) yield return row;
        foreach (var row in Each("GET", $"/api/v1/audit?kota={Codes.Selatan}", null, ForbiddenExcept((Who.Admin, Expect.Success)))) yield return row;

        // ---- Add rows for further features here (targets, achievements, roll-ups, sosialisasi,
        //      contacts, reports, jobs, notifications), e.g.
        //      foreach (var row in Each("PUT", "/api/v1/periods/{period}/targets/31.73/KPKP", """{"target":5}""",
        //          ForbiddenExcept((Who.Admin, Expect.Success), (Who.KotaBarat, Expect.Success)))) yield return row;
        //      Scope rows should name the resource's own region (a Jakarta Selatan kelurahan for a
        //      Jakarta Barat key) so the matrix proves rules are enforced on the resource, not the route. ----
    }

    /// <summary>Placeholders rows may use; each resolves per request, so rows that create or delete never share data.</summary>
    private Dictionary<string, Func<Task<string>>> Placeholders => new()
    {
        ["period"] = async () => _period ??= await NewPeriodAsync(),
        ["newCode"] = () => Task.FromResult(UniqueCode("M")),
        ["missing"] = () => Task.FromResult(UniqueCode("missing")),
        ["freshKey"] = async () => (await Keys.CreateAsync("matrix fresh", Roles.Viewer, null, null, null, null, Actor.System, CancellationToken.None)).Record.Id,
    };

    [TestCaseSource(nameof(Rows))]
    public async Task Matrix(Access row)
    {
        var client = await ClientAsync(row.Who);
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), await ResolveAsync(row.Route));
        if (row.Body is not null)
        {
            request.Content = new StringContent(await ResolveAsync(row.Body), Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        if (row.Expect == Expect.Success)
        {
            Assert.That(response.IsSuccessStatusCode, Is.True, $"{row}: got {(int)response.StatusCode} {body}");
            return;
        }
        await AssertProblemAsync(response, row.Expect switch
        {
            Expect.Unauthorized => HttpStatusCode.Unauthorized,
            Expect.Forbidden => HttpStatusCode.Forbidden,
            _ => HttpStatusCode.NotFound,
        });
    }

    [OneTimeTearDown]
    public void DisposeClients()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    // ---- Row builders ----

    private static IEnumerable<Access> Each(string method, string route, string? body, IEnumerable<(Who Who, Expect Expect)> cells) =>
        cells.Select(c => new Access(method, route, body, c.Who, c.Expect));

    /// <summary>No key needed.</summary>
    private static IEnumerable<Access> Open(string method, string route) =>
        Each(method, route, null, Who.Unauthenticated.Concat(Who.Keys).Select(w => (w, Expect.Success)));

    /// <summary>Any valid key; 401 without one.</summary>
    private static IEnumerable<Access> AnyKey(string method, string route, Expect expect = Expect.Success) =>
        Each(method, route, null, Who.Unauthenticated.Select(w => (w, Expect.Unauthorized)).Concat(Who.Keys.Select(w => (w, expect))));

    /// <summary>Admin only: every other role 403, no key 401.</summary>
    private static IEnumerable<Access> AdminOnly(string method, string route, string? body = null, Expect admin = Expect.Success) =>
        Each(method, route, body, ForbiddenExcept((Who.Admin, admin)));

    /// <summary>401 for callers without a valid key, 403 for every key except the ones listed.</summary>
    private static IEnumerable<(Who, Expect)> ForbiddenExcept(params (Who Who, Expect Expect)[] except) =>
        Who.Unauthenticated.Select(w => (w, Expect.Unauthorized))
            .Concat(Who.Keys.Select(w => (w, except.FirstOrDefault(e => e.Who == w) is { Who: not null } e ? e.Expect : Expect.Forbidden)));

    // ---- Resolution ----

    private ApiKeyQueries Keys => App.Services.GetRequiredService<ApiKeyQueries>();

    private async Task<string> ResolveAsync(string template)
    {
        var placeholders = Placeholders;
        var result = new StringBuilder();
        var last = 0;
        foreach (Match match in Regex.Matches(template, @"\{(\w+)\}"))
        {
            if (!placeholders.TryGetValue(match.Groups[1].Value, out var resolve))
            {
                // Not a placeholder (e.g. JSON braces): keep as is.
                continue;
            }
            result.Append(template, last, match.Index - last).Append(await resolve());
            last = match.Index + match.Length;
        }
        return result.Append(template, last, template.Length - last).ToString();
    }

    private async Task<HttpClient> ClientAsync(Who who)
    {
        if (_clients.TryGetValue(who, out var cached))
        {
            return cached;
        }
        HttpClient client;
        if (who == Who.Anonymous)
        {
            client = App.ClientWithKey(null);
        }
        else if (who == Who.UnknownKey)
        {
            client = App.ClientWithKey("jkp_0123456789ab_NeverIssuedNeverIssuedNeverIssuedNeverIs");
        }
        else if (who == Who.RevokedKey)
        {
            var (record, key) = await Keys.CreateAsync("matrix revoked", Roles.Admin, null, null, null, null, Actor.System, CancellationToken.None);
            await Keys.RevokeAsync(record.Id, Actor.System, CancellationToken.None);
            client = App.ClientWithKey(key);
        }
        else
        {
            client = await ClientForAsync(who.Role!, who.Kota, who.Sudin, who.Kelurahan);
        }
        _clients[who] = client;
        return client;
    }
}
