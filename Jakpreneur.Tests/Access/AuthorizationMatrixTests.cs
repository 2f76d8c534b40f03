using System.Net;
using System.Text;
using System.Text.Json;
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

    /// <summary>Every key limited to Jakarta Barat: whatever they read must be of Jakarta Barat only.</summary>
    public static readonly Who[] Barat = [KotaBarat, SudinBaratUkm, KelurahanKembanganUtara, ViewerBarat];

    /// <summary>Every caller that must get 401.</summary>
    public static readonly Who[] Unauthenticated = [Anonymous, UnknownKey, RevokedKey];

    public override string ToString() => Label;
}

public static class Codes
{
    public const string Barat = "31.73";
    public const string Selatan = "31.74";
    public const string Cengkareng = "31.73.01";
    public const string Kembangan = "31.73.08";
    public const string KembanganUtara = "31.73.08.1001";
    public const string MeruyaUtara = "31.73.08.1002";
    public const string Tebet = "31.74.01";
    public const string TebetTimur = "31.74.01.1001";
    public const string Ukm = "PPKUKM-UKM";
    public const string Kpkp = "KPKP";
}

/// <summary>
/// A leak check on a successful answer: every value at <see cref="Path"/> is <see cref="Region"/>
/// or lies under it, and there are at least <see cref="AtLeast"/> of them (so an empty answer
/// cannot pass for a filtered one). Path: property names joined by '.', <c>[]</c> for each item
/// of an array (<c>items[].kota</c>, <c>[].coverage[].code</c>).
/// </summary>
public sealed record Within(string Path, string Region, int AtLeast = 1)
{
    public override string ToString() => $"{Path} within {Region}";
}

/// <summary>
/// One request of the matrix. <see cref="Route"/> and <see cref="Body"/> may hold placeholders
/// such as <c>{period}</c>, resolved per request by <see cref="AuthorizationMatrixTests"/>.
/// </summary>
public sealed record Access(string Method, string Route, string? Body, Who Who, Expect Expect, Within? Within = null)
{
    /// <summary>Unique per row: rows on one route differ by body (a kelurahan of another kota, another sudin).</summary>
    public override string ToString() =>
        $"{Method} {Route}{(Body is null ? "" : $" {Body.Trim()}")} as {Who} -> {Expect}{(Within is null ? "" : $", {Within}")}";
}

/// <summary>
/// Every endpoint against every role and scope: 2xx, 401, 403 or 404. Rows are data: add a
/// feature's endpoints as rows below (and any placeholder they need in <see cref="Placeholders"/>).
/// </summary>
public sealed class AuthorizationMatrixTests(string provider) : ApiTest(provider)
{
    private readonly Dictionary<Who, HttpClient> _clients = [];
    private Seed? _seed;

    private static readonly string PeriodBody = """
        {"name":"Matrix","startDate":"2020-01-01","endDate":"2020-12-31","targetDeadline":"2020-12-15"}
        """;

    private static readonly string ViewerKeyBody = """{"name":"matrix viewer","role":"viewer","kota":"31.73"}""";

    private const string TargetBody = """{"target":5}""";
    private const string DeclaredBody = """{"total":120,"source":"Matrix announcement"}""";
    private const string ReversalBody = """{"reason":"matrix reversal"}""";
    private const string DueDateBody = """{"dueDate":"2020-12-20"}""";
    private const string ContactBody = """{"name":"Matrix contact","email":"matrix@example.go.id"}""";

    private static string AchievementBody(string kelurahan, string sudin) =>
        $$"""{"period":"{period}","kelurahan":"{{kelurahan}}","sudin":"{{sudin}}","count":1,"date":"2020-12-01"}""";

    private static string BatchBody(params (string Kelurahan, string Sudin)[] entries) =>
        $$"""{"entries":[{{string.Join(",", entries.Select(e => AchievementBody(e.Kelurahan, e.Sudin)))}}]}""";

    private static string CampaignBody(params string[] kota) =>
        $$"""{"code":"{newCode}","title":"Matrix campaign","kota":{{JsonSerializer.Serialize(kota)}},"dueDate":"2020-12-20"}""";

    private static string SosialisasiReportBody(string kelurahan) =>
        $$"""{"kelurahan":"{{kelurahan}}","channel":"instagram","url":"https://instagram.com/p/matrix","publishedOn":"2020-12-01"}""";

    public static IEnumerable<TestCaseData> Rows() =>
        Matrix().Select(row => new TestCaseData(row).SetArgDisplayNames(row.ToString()));

    private static IEnumerable<Access> Matrix()
    {
        // ---- Health and docs: open to everyone ----
        foreach (var row in Open("GET", "/health/live")) yield return row;
        foreach (var row in Open("GET", "/health/ready")) yield return row;
        foreach (var row in Open("GET", "/swagger/v1/swagger.json")) yield return row;
        foreach (var row in Open("GET", "/swagger/index.html")) yield return row;

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
        foreach (var row in BaratOnly(Each("GET", "/api/v1/audit", null, KotaOffice()), "items[].kota")) yield return row;
        foreach (var row in BaratOnly(Each("GET", $"/api/v1/audit?kota={Codes.Barat}", null, KotaOffice()), "items[].kota")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/audit?kota={Codes.Selatan}", null, ForbiddenExcept((Who.Admin, Expect.Success)))) yield return row;

        // Kota-limited keys read their own kota (list answers filtered to it, never another kota's
        // rows); a province-wide read of another kota is for admin and the all-DKI viewer only.
        // Scope rows name the resource's own region (a Jakarta Selatan kelurahan for a Jakarta
        // Barat key) so the matrix proves the rules hold on the resource, not on the route.

        // ---- Targets: every key reads its kota; admin and the kota office write ----
        foreach (var row in BaratOnly(KotaReaders("GET", "/api/v1/periods/{period}/targets"), "[].kota")) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", $"/api/v1/periods/{{period}}/targets?kota={Codes.Barat}"), "[].kota")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/periods/{{period}}/targets?kota={Codes.Selatan}", null, ProvinceReaders())) yield return row;
        foreach (var row in KotaReaders("GET", $"/api/v1/periods/{{period}}/targets/{Codes.Barat}/{Codes.Ukm}")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/periods/{{period}}/targets/{Codes.Selatan}/{Codes.Ukm}", null, ProvinceReaders())) yield return row;
        foreach (var row in AnyKey("GET", $"/api/v1/periods/{{missing}}/targets/{Codes.Barat}/{Codes.Ukm}", Expect.NotFound)) yield return row;
        foreach (var row in Each("PUT", $"/api/v1/periods/{{period}}/targets/{Codes.Barat}/{Codes.Kpkp}", TargetBody, KotaOffice())) yield return row;
        foreach (var row in AdminOnly("PUT", $"/api/v1/periods/{{period}}/targets/{Codes.Selatan}/{Codes.Kpkp}", TargetBody)) yield return row;
        foreach (var row in KotaReaders("GET", $"/api/v1/periods/{{period}}/declared-totals/{Codes.Barat}")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/periods/{{period}}/declared-totals/{Codes.Selatan}", null, ProvinceReaders())) yield return row;
        foreach (var row in Each("PUT", $"/api/v1/periods/{{period}}/declared-totals/{Codes.Barat}", DeclaredBody, KotaOffice())) yield return row;
        foreach (var row in AdminOnly("PUT", $"/api/v1/periods/{{period}}/declared-totals/{Codes.Selatan}", DeclaredBody)) yield return row;

        // ---- Achievements: admin and the sudin of the kelurahan's kota write; reads as above.
        //      An entry another kota's key may not read is 404 to it (its existence is not revealed). ----
        foreach (var row in Each("POST", "/api/v1/achievements", AchievementBody(Codes.KembanganUtara, Codes.Ukm), SudinLane())) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/achievements", AchievementBody(Codes.TebetTimur, Codes.Ukm))) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/achievements", AchievementBody(Codes.KembanganUtara, Codes.Kpkp))) yield return row;
        foreach (var row in Each("POST", "/api/v1/achievements/batch", BatchBody((Codes.KembanganUtara, Codes.Ukm), (Codes.MeruyaUtara, Codes.Ukm)), SudinLane())) yield return row;
        foreach (var row in Each("POST", "/api/v1/achievements/batch?dryRun=true", BatchBody((Codes.KembanganUtara, Codes.Ukm)), SudinLane())) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/achievements/batch", BatchBody((Codes.KembanganUtara, Codes.Ukm), (Codes.TebetTimur, Codes.Ukm)))) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/achievements/batch", BatchBody((Codes.KembanganUtara, Codes.Ukm), (Codes.KembanganUtara, Codes.Kpkp)))) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", "/api/v1/achievements?period={period}"), "items[].kota")) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", $"/api/v1/achievements?period={{period}}&kota={Codes.Barat}"), "items[].kota")) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", $"/api/v1/achievements?period={{period}}&kota={Codes.Barat}&kelurahan={Codes.TebetTimur}"), "items[].kota", atLeast: 0)) yield return row;
        foreach (var row in Each("GET", $"/api/v1/achievements?period={{period}}&kota={Codes.Selatan}", null, ProvinceReaders())) yield return row;
        foreach (var row in Each("GET", $"/api/v1/achievements?period={{period}}&kecamatan={Codes.Tebet}", null, ProvinceReaders())) yield return row;
        foreach (var row in Each("GET", $"/api/v1/achievements?period={{period}}&kelurahan={Codes.TebetTimur}", null, ProvinceReaders())) yield return row;
        foreach (var row in Each("GET", "/api/v1/achievements/{entryBarat}", null, Except(Expect.Success, (Who.KelurahanKembanganUtara, Expect.NotFound)))) yield return row;
        foreach (var row in Each("GET", "/api/v1/achievements/{entrySelatan}", null, ProvinceReaders(otherwise: Expect.NotFound))) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/achievements/9007199254740993", Expect.NotFound)) yield return row;

        // ---- Reversals: admin, the kota office of the entry's kota, the sudin that owns it ----
        foreach (var row in Each("POST", "/api/v1/achievements/{freshEntryUkmBarat}/reversal", ReversalBody,
            ForbiddenExcept((Who.Admin, Expect.Success), (Who.KotaBarat, Expect.Success), (Who.SudinBaratUkm, Expect.Success),
                (Who.KelurahanKembanganUtara, Expect.NotFound)))) yield return row;
        foreach (var row in Each("POST", "/api/v1/achievements/{freshEntryKpkpBarat}/reversal", ReversalBody,
            ForbiddenExcept((Who.Admin, Expect.Success), (Who.KotaBarat, Expect.Success), (Who.KelurahanKembanganUtara, Expect.NotFound)))) yield return row;
        foreach (var row in Each("POST", "/api/v1/achievements/{freshEntryUkmSelatan}/reversal", ReversalBody,
            ProvinceReaders(otherwise: Expect.NotFound, viewer: Expect.Forbidden))) yield return row;
        foreach (var row in AnyKey("POST", "/api/v1/achievements/9007199254740993/reversal", Expect.NotFound, ReversalBody)) yield return row;

        // ---- Roll-ups: a kota-limited key sees its own kota only ----
        foreach (var row in BaratOnly(KotaReaders("GET", "/api/v1/periods/{period}/rollup"), "kota[].code")) yield return row;
        foreach (var row in KotaReaders("GET", $"/api/v1/periods/{{period}}/rollup/{Codes.Barat}")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/periods/{{period}}/rollup/{Codes.Selatan}", null, ProvinceReaders())) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", $"/api/v1/periods/{{period}}/rollup/{Codes.Barat}/kelurahan"), "[].code")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/periods/{{period}}/rollup/{Codes.Selatan}/kelurahan", null, ProvinceReaders())) yield return row;
        foreach (var row in Each("GET", $"/api/v1/periods/{{period}}/rollup/{Codes.Selatan}/kelurahan?kecamatan={Codes.Tebet}", null, ProvinceReaders())) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/periods/{missing}/rollup", Expect.NotFound)) yield return row;

        // ---- Sosialisasi: admin and the kota office launch and move campaigns of their kota; the
        //      lurah, the kota office and admin report; a lurah reads only its own kelurahan ----
        foreach (var row in Each("POST", "/api/v1/sosialisasi/campaigns", CampaignBody(Codes.Barat), KotaOffice())) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/sosialisasi/campaigns", CampaignBody(Codes.Selatan))) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/sosialisasi/campaigns", CampaignBody(Codes.Barat, Codes.Selatan))) yield return row;
        foreach (var row in BaratOnly(AnyKey("GET", "/api/v1/sosialisasi/campaigns"), "[].coverage[].code")) yield return row;
        foreach (var row in BaratOnly(AnyKey("GET", $"/api/v1/sosialisasi/campaigns?kota={Codes.Barat}"), "[].coverage[].code")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/sosialisasi/campaigns?kota={Codes.Selatan}", null, ProvinceReaders())) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/sosialisasi/campaigns/{campaignBarat}")) yield return row;
        foreach (var row in BaratOnly(AnyKey("GET", "/api/v1/sosialisasi/campaigns/{campaignBoth}"), "coverage[].code")) yield return row;
        foreach (var row in Each("GET", "/api/v1/sosialisasi/campaigns/{campaignSelatan}", null, ProvinceReaders())) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/sosialisasi/campaigns/{missing}", Expect.NotFound)) yield return row;
        foreach (var row in Each("PATCH", "/api/v1/sosialisasi/campaigns/{campaignBarat}", DueDateBody, KotaOffice())) yield return row;
        foreach (var row in AdminOnly("PATCH", "/api/v1/sosialisasi/campaigns/{campaignSelatan}", DueDateBody)) yield return row;
        foreach (var row in AdminOnly("PATCH", "/api/v1/sosialisasi/campaigns/{campaignBoth}", DueDateBody)) yield return row;
        foreach (var row in AnyKey("PATCH", "/api/v1/sosialisasi/campaigns/{missing}", Expect.NotFound, DueDateBody)) yield return row;
        foreach (var row in Each("POST", "/api/v1/sosialisasi/campaigns/{campaignBarat}/reports", SosialisasiReportBody(Codes.KembanganUtara),
            ForbiddenExcept((Who.Admin, Expect.Success), (Who.KotaBarat, Expect.Success), (Who.KelurahanKembanganUtara, Expect.Success)))) yield return row;
        foreach (var row in Each("POST", "/api/v1/sosialisasi/campaigns/{campaignBarat}/reports", SosialisasiReportBody(Codes.MeruyaUtara), KotaOffice())) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/sosialisasi/campaigns/{campaignBoth}/reports", SosialisasiReportBody(Codes.TebetTimur))) yield return row;
        foreach (var row in AnyKey("POST", "/api/v1/sosialisasi/campaigns/{missing}/reports", Expect.NotFound, SosialisasiReportBody(Codes.KembanganUtara))) yield return row;
        foreach (var row in StatusRows("/api/v1/sosialisasi/campaigns/{campaignBarat}/status")) yield return row;
        foreach (var row in StatusRows("/api/v1/sosialisasi/campaigns/{campaignBoth}/status")) yield return row;
        foreach (var row in StatusRows($"/api/v1/sosialisasi/campaigns/{{campaignBoth}}/status?kecamatan={Codes.Kembangan}")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/sosialisasi/campaigns/{{campaignBarat}}/status?kecamatan={Codes.Cengkareng}", null,
            Except(Expect.Success, (Who.KelurahanKembanganUtara, Expect.Forbidden)))) yield return row;
        foreach (var row in Each("GET", "/api/v1/sosialisasi/campaigns/{campaignSelatan}/status", null, ProvinceReaders())) yield return row;
        foreach (var row in Each("GET", $"/api/v1/sosialisasi/campaigns/{{campaignBoth}}/status?kota={Codes.Selatan}", null, ProvinceReaders())) yield return row;
        foreach (var row in AnyKey("GET", "/api/v1/sosialisasi/campaigns/{missing}/status", Expect.NotFound)) yield return row;

        // ---- Contacts: admin and the kota office write; reads within the key's kota ----
        foreach (var row in Each("PUT", $"/api/v1/contacts/{Codes.KembanganUtara}", ContactBody, KotaOffice())) yield return row;
        foreach (var row in Each("PUT", $"/api/v1/contacts/{Codes.Barat}", ContactBody, KotaOffice())) yield return row;
        foreach (var row in AdminOnly("PUT", $"/api/v1/contacts/{Codes.TebetTimur}", ContactBody)) yield return row;
        foreach (var row in AdminOnly("PUT", $"/api/v1/contacts/{Codes.Selatan}", ContactBody)) yield return row;
        foreach (var row in AnyKey("PUT", "/api/v1/contacts/99.99", Expect.NotFound, ContactBody)) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", "/api/v1/contacts"), "[].kota")) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", $"/api/v1/contacts?parent={Codes.Kembangan}"), "[].region")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/contacts?parent={Codes.Selatan}", null, ProvinceReaders())) yield return row;

        // ---- Notifications: the outbox, within the key's kota ----
        foreach (var row in BaratOnly(KotaReaders("GET", "/api/v1/notifications"), "items[].region")) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", "/api/v1/notifications?campaign={campaignBoth}"), "items[].region")) yield return row;
        foreach (var row in BaratOnly(KotaReaders("GET", $"/api/v1/notifications?region={Codes.KembanganUtara}"), "items[].region")) yield return row;
        foreach (var row in Each("GET", $"/api/v1/notifications?region={Codes.TebetTimur}", null, ProvinceReaders())) yield return row;

        // ---- Reports: admin and the kota office request; every reader of the kota reads ----
        foreach (var row in Each("POST", "/api/v1/reports", $$"""{"campaign":"{campaignBarat}","kota":"{{Codes.Barat}}"}""", KotaOffice())) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/reports", $$"""{"campaign":"{campaignSelatan}","kota":"{{Codes.Selatan}}"}""")) yield return row;
        foreach (var suffix in new[] { "", "/content", "/content.csv", "/content.xlsx" })
        {
            foreach (var row in KotaReaders("GET", "/api/v1/reports/{reportBarat}" + suffix)) yield return row;
            foreach (var row in Each("GET", "/api/v1/reports/{reportSelatan}" + suffix, null, ProvinceReaders())) yield return row;
            foreach (var row in AnyKey("GET", "/api/v1/reports/9007199254740993" + suffix, Expect.NotFound)) yield return row;
        }

        // ---- Jobs: admin only ----
        foreach (var row in AdminOnly("GET", "/api/v1/jobs")) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/jobs/deadline-reminders/trigger")) yield return row;
        foreach (var row in AdminOnly("POST", "/api/v1/jobs/{missing}/trigger", admin: Expect.NotFound)) yield return row;
    }

    /// <summary>
    /// Placeholders rows may use; each resolves per request, so rows that create or delete never
    /// share data. Read rows use the fixture's seed (<see cref="SeedAsync"/>); rows that change a
    /// resource for good (a reversal) get a fresh one, created with the admin key.
    /// </summary>
    private Dictionary<string, Func<Task<string>>> Placeholders => new()
    {
        ["period"] = () => Task.FromResult(_seed!.Period),
        ["newCode"] = () => Task.FromResult(UniqueCode("M")),
        ["missing"] = () => Task.FromResult(UniqueCode("missing")),
        ["freshKey"] = async () => (await Keys.CreateAsync("matrix fresh", Roles.Viewer, null, null, null, null, Actor.System, CancellationToken.None)).Record.Id,
        ["entryBarat"] = () => Task.FromResult(_seed!.EntryBarat),
        ["entrySelatan"] = () => Task.FromResult(_seed!.EntrySelatan),
        ["freshEntryUkmBarat"] = () => EntryAsync(_seed!.Period, Codes.KembanganUtara, Codes.Ukm),
        ["freshEntryKpkpBarat"] = () => EntryAsync(_seed!.Period, Codes.KembanganUtara, Codes.Kpkp),
        ["freshEntryUkmSelatan"] = () => EntryAsync(_seed!.Period, Codes.TebetTimur, Codes.Ukm),
        ["campaignBarat"] = () => Task.FromResult(_seed!.CampaignBarat),
        ["campaignSelatan"] = () => Task.FromResult(_seed!.CampaignSelatan),
        ["campaignBoth"] = () => Task.FromResult(_seed!.CampaignBoth),
        ["reportBarat"] = () => Task.FromResult(_seed!.ReportBarat),
        ["reportSelatan"] = () => Task.FromResult(_seed!.ReportSelatan),
    };

    /// <summary>What the read rows look at: the same kinds of data in Jakarta Barat and Jakarta Selatan, so a filter that leaks shows.</summary>
    private sealed record Seed(
        string Period, string EntryBarat, string EntrySelatan, string CampaignBarat, string CampaignSelatan, string CampaignBoth,
        string ReportBarat, string ReportSelatan);

    /// <summary>Creates the seed once per fixture (rows run one after another), all through the API with the admin key.</summary>
    private async Task SeedAsync()
    {
        if (_seed is not null)
        {
            return;
        }
        var period = await NewPeriodAsync();
        foreach (var kota in new[] { Codes.Barat, Codes.Selatan })
        {
            await SendOkAsync(HttpMethod.Put, $"/api/v1/periods/{period}/targets/{kota}/{Codes.Ukm}", """{"target":10}""");
            await SendOkAsync(HttpMethod.Put, $"/api/v1/periods/{period}/declared-totals/{kota}", DeclaredBody);
        }
        foreach (var region in new[] { Codes.Barat, Codes.KembanganUtara, Codes.Selatan, Codes.TebetTimur })
        {
            await SendOkAsync(HttpMethod.Put, $"/api/v1/contacts/{region}", ContactBody);
        }
        var entryBarat = await EntryAsync(period, Codes.KembanganUtara, Codes.Ukm);
        var entrySelatan = await EntryAsync(period, Codes.TebetTimur, Codes.Ukm);
        var campaignBarat = await CampaignAsync(Codes.Barat);
        var campaignSelatan = await CampaignAsync(Codes.Selatan);
        var campaignBoth = await CampaignAsync(Codes.Barat, Codes.Selatan);
        // Due 2020-12-13, three days after the fixture's clock: the reminder job queues H-3 notifications in both kota.
        await SendOkAsync(HttpMethod.Post, "/api/v1/jobs/deadline-reminders/trigger", null);
        var reportBarat = await ReportAsync(campaignBoth, Codes.Barat);
        var reportSelatan = await ReportAsync(campaignBoth, Codes.Selatan);
        _seed = new Seed(period, entryBarat, entrySelatan, campaignBarat, campaignSelatan, campaignBoth, reportBarat, reportSelatan);
    }

    private async Task<string> EntryAsync(string period, string kelurahan, string sudin)
    {
        var body = AchievementBody(kelurahan, sudin).Replace("{period}", period, StringComparison.Ordinal);
        return (await SendOkAsync(HttpMethod.Post, "/api/v1/achievements", body)).GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string> CampaignAsync(params string[] kota)
    {
        var code = UniqueCode("M");
        await SendOkAsync(HttpMethod.Post, "/api/v1/sosialisasi/campaigns",
            $$"""{"code":"{{code}}","title":"Matrix seed","kota":{{JsonSerializer.Serialize(kota)}},"dueDate":"2020-12-13"}""");
        return code;
    }

    /// <summary>Requests a report and waits until it is compiled, so its content rows can succeed.</summary>
    private async Task<string> ReportAsync(string campaign, string kota)
    {
        var id = (await SendOkAsync(HttpMethod.Post, "/api/v1/reports", $$"""{"campaign":"{{campaign}}","kota":"{{kota}}"}""")).GetProperty("id").GetInt64();
        for (var i = 0; i < 200; i++)
        {
            var status = (await SendOkAsync(HttpMethod.Get, $"/api/v1/reports/{id}", null)).GetProperty("status").GetString();
            if (status == "done")
            {
                return id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            Assert.That(status, Is.AnyOf("queued", "running"), $"report {id}");
            await Task.Delay(25);
        }
        throw new AssertionException($"report {id} was not compiled within 5 s");
    }

    private async Task<JsonElement> SendOkAsync(HttpMethod method, string route, string? body)
    {
        using var request = new HttpRequestMessage(method, route);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        var response = await Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"seed {method} {route}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    [TestCaseSource(nameof(Rows))]
    public async Task Matrix(Access row)
    {
        await SeedAsync();
        var client = await ClientAsync(row.Who);
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), await ResolveAsync(row.Route));
        if (row.Body is not null)
        {
            request.Content = new StringContent(await ResolveAsync(row.Body), Encoding.UTF8, "application/json");
        }
        if (row.Method == "POST")
        {
            // Required by the achievement batch, optional on the single POST, ignored elsewhere; fresh so nothing replays.
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        var response = await client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        if (row.Expect == Expect.Success)
        {
            Assert.That(response.IsSuccessStatusCode, Is.True, $"{row}: got {(int)response.StatusCode} {body}");
            if (row.Within is { } within)
            {
                AssertWithin(within, JsonDocument.Parse(body).RootElement, row);
            }
            return;
        }
        await AssertProblemAsync(response, row.Expect switch
        {
            Expect.Unauthorized => HttpStatusCode.Unauthorized,
            Expect.Forbidden => HttpStatusCode.Forbidden,
            _ => HttpStatusCode.NotFound,
        });
    }

    /// <summary>Every region code at the path is the expected region or lies under it: nothing of another kota leaks.</summary>
    private static void AssertWithin(Within within, JsonElement root, Access row)
    {
        IEnumerable<JsonElement> values = [root];
        foreach (var segment in within.Path.Split('.'))
        {
            var each = segment.EndsWith("[]", StringComparison.Ordinal);
            var name = each ? segment[..^2] : segment;
            values = values.Select(v => name.Length == 0 ? v : v.GetProperty(name)).ToList();
            if (each)
            {
                values = values.SelectMany(v => v.EnumerateArray()).ToList();
            }
        }
        var codes = values.Select(v => v.GetString()).ToList();
        Assert.That(codes, Has.Count.GreaterThanOrEqualTo(within.AtLeast), $"{row}: too few values at {within.Path} to prove the filter: {root}");
        Assert.That(codes, Has.All.Matches<string?>(c => c == within.Region || c?.StartsWith(within.Region + ".", StringComparison.Ordinal) == true),
            $"{row}: another region leaked: {root}");
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
    private static IEnumerable<Access> AnyKey(string method, string route, Expect expect = Expect.Success, string? body = null) =>
        Each(method, route, body, Except(expect));

    /// <summary>A kota's figures, contacts and outbox: every key that reads the kota, but not a lurah's key (403).</summary>
    private static IEnumerable<Access> KotaReaders(string method, string route) =>
        Each(method, route, null, Except(Expect.Success, (Who.KelurahanKembanganUtara, Expect.Forbidden)));

    /// <summary>Admin only: every other role 403, no key 401.</summary>
    private static IEnumerable<Access> AdminOnly(string method, string route, string? body = null, Expect admin = Expect.Success) =>
        Each(method, route, body, ForbiddenExcept((Who.Admin, admin)));

    /// <summary>401 for callers without a valid key, 403 for every key except the ones listed.</summary>
    private static IEnumerable<(Who, Expect)> ForbiddenExcept(params (Who Who, Expect Expect)[] except) => Except(Expect.Forbidden, except);

    /// <summary>401 for callers without a valid key, <paramref name="otherwise"/> for every key except the ones listed.</summary>
    private static IEnumerable<(Who, Expect)> Except(Expect otherwise, params (Who Who, Expect Expect)[] except) =>
        Who.Unauthenticated.Select(w => (w, Expect.Unauthorized))
            .Concat(Who.Keys.Select(w => (w, except.FirstOrDefault(e => e.Who == w) is { Who: not null } e ? e.Expect : otherwise)));

    /// <summary>Another kota's data (Jakarta Selatan): admin and the all-DKI viewer; every Jakarta Barat key gets <paramref name="otherwise"/>.</summary>
    private static IEnumerable<(Who, Expect)> ProvinceReaders(Expect otherwise = Expect.Forbidden, Expect viewer = Expect.Success) =>
        Except(otherwise, (Who.Admin, Expect.Success), (Who.Viewer, viewer));

    /// <summary>Managing Jakarta Barat (targets, campaigns, contacts, reports, reversals): admin and the Jakarta Barat kota office.</summary>
    private static IEnumerable<(Who, Expect)> KotaOffice() => ForbiddenExcept((Who.Admin, Expect.Success), (Who.KotaBarat, Expect.Success));

    /// <summary>Posting PPKUKM-UKM achievements in Jakarta Barat: admin and that sudin.</summary>
    private static IEnumerable<(Who, Expect)> SudinLane() => ForbiddenExcept((Who.Admin, Expect.Success), (Who.SudinBaratUkm, Expect.Success));

    /// <summary>Adds a leak check to the successful rows of every Jakarta Barat key.</summary>
    private static IEnumerable<Access> BaratOnly(IEnumerable<Access> rows, string path, int atLeast = 1) =>
        rows.Select(r => r.Expect == Expect.Success && Who.Barat.Contains(r.Who) ? r with { Within = new Within(path, Codes.Barat, atLeast) } : r);

    /// <summary>Sosialisasi status of a campaign covering Jakarta Barat: Jakarta Barat keys see only Jakarta Barat, the lurah only its kelurahan.</summary>
    private static IEnumerable<Access> StatusRows(string route) =>
        BaratOnly(AnyKey("GET", route), "kelurahan[].kota")
            .Select(r => r.Who == Who.KelurahanKembanganUtara && r.Expect == Expect.Success
                ? r with { Within = new Within("kelurahan[].code", Codes.KembanganUtara) }
                : r);

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
