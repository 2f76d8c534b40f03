using FluentValidation;
using FluentValidation.Results;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Api.Periods;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Periods;
using Jakpreneur.Core.Regions;
using Jakpreneur.Core.Sosialisasi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Sosialisasi;

public sealed record CampaignRequest(string? Code, string? Title, string? Period, string?[]? Kota, DateOnly? DueDate, string? MaterialUrl);

public sealed record CampaignPatchRequest(DateOnly? DueDate);

public sealed record ReportRequest(string? Kelurahan, string? Channel, string? Url, DateOnly? PublishedOn, long? Reach, string? Note);

/// <summary>
/// A campaign: <c>kota</c> lists the kota it covers, <c>kelurahan</c> counts the kelurahan that
/// owe a report, <c>reported</c> those that have, and <c>coverage</c> breaks both down per kota
/// (for a kota-limited key: its own kota only).
/// </summary>
public sealed record CampaignResponse(
    string Code, string Title, string? Period, IReadOnlyList<string> Kota, DateOnly DueDate, string? MaterialUrl,
    long Kelurahan, long Reported, IReadOnlyList<CampaignKotaResponse> Coverage, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <param name="d">The campaign and its per-kota tallies.</param>
    /// <param name="regions">Region names.</param>
    /// <param name="scopeKota">A kota-limited key sees the figures of its kota only; <c>kota</c> still lists the whole campaign.</param>
    public static CampaignResponse From(CampaignDetail d, RegionDirectory regions, string? scopeKota = null)
    {
        var visible = d.Kota.Where(k => scopeKota is null || k.Kota == scopeKota).ToList();
        return new(
            d.Campaign.Code, d.Campaign.Title, d.Campaign.Period, d.Kota.Select(k => k.Kota).ToList(), d.Campaign.DueDate,
            d.Campaign.MaterialUrl, visible.Sum(k => k.Kelurahan), visible.Sum(k => k.Reported),
            visible.Select(k => new CampaignKotaResponse(k.Kota, regions.Find(k.Kota)?.Name ?? k.Kota, k.Kelurahan, k.Reported)).ToList(),
            d.Campaign.CreatedAt, d.Campaign.UpdatedAt);
    }
}

public sealed record CampaignKotaResponse(string Code, string Name, long Kelurahan, long Reported);

/// <summary>
/// A stored report; <c>status</c> (<c>on_time</c> or <c>late</c>, decided by the kelurahan's first
/// report at <c>firstReportedAt</c>) and <c>reports</c> describe the kelurahan right after it.
/// </summary>
public sealed record ReportResponse(
    long Id, string Campaign, string Kota, string Kecamatan, string Kelurahan, string Channel, string? Url,
    DateOnly PublishedOn, long? Reach, string? Note, DateTimeOffset RecordedAt, string Status, DateTimeOffset FirstReportedAt, long Reports)
{
    public static ReportResponse From(ReportOutcome o) => new(
        o.Report.Id, o.Report.Campaign, o.Report.Kota, o.Report.Kecamatan, o.Report.Kelurahan, o.Report.Channel, o.Report.Url,
        o.Report.PublishedOn, o.Report.Reach, o.Report.Note, o.Report.RecordedAt, o.Status, o.FirstReportedAt, o.Reports);
}

public sealed record StatusTotals(long Kelurahan, long Reported, long OnTime, long Late, long Pending);

public sealed record KecamatanStatusResponse(string Code, string Name, long Kelurahan, long Reported, long OnTime, long Late, long Pending);

/// <summary>One kelurahan's standing: <c>status</c> is <c>pending</c>, <c>on_time</c> or <c>late</c>.</summary>
public sealed record KelurahanStatusResponse(string Code, string Name, string Kecamatan, string Kota, string Status, DateTimeOffset? FirstReportedAt, long Reports);

/// <summary>Who has reported, as of <c>asOf</c> (the instant of the read; figures are never cached).</summary>
public sealed record StatusResponse(
    string Campaign, DateOnly DueDate, DateTimeOffset AsOf, StatusTotals Totals,
    IReadOnlyList<KecamatanStatusResponse> Kecamatan, IReadOnlyList<KelurahanStatusResponse> Kelurahan);

internal static class HttpUrl
{
    public const int MaxLength = 2000;

    public static bool IsValid(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;

    public static string Message(string field) => L.T(
        $"'{field}' must be an absolute http or https URL.",
        $"'{field}' harus berupa URL http atau https yang lengkap.");
}

internal sealed class CampaignRequestValidator : AbstractValidator<CampaignRequest>
{
    public CampaignRequestValidator(RegionDirectory regions)
    {
        RuleFor(x => x.Code).NotEmpty();
        RuleFor(x => x.Code)
            .Must(SosialisasiEndpoints.IsValidCode).When(x => !string.IsNullOrEmpty(x.Code))
            .WithMessage(_ => L.T(
                "A campaign code is 1 to 64 letters, digits, '-' or '_'.",
                "Kode kampanye terdiri dari 1 sampai 64 huruf, angka, '-' atau '_'."));
        RuleFor(x => x.Title).NotEmpty().MaximumLength(300);
        RuleFor(x => x.Period)
            .Must(p => PeriodsEndpoints.IsValidCode(p!)).When(x => x.Period is not null)
            .WithMessage(x => L.T($"Unknown period '{x.Period}'.", $"Periode '{x.Period}' tidak dikenal."));
        RuleFor(x => x.Kota).NotEmpty();
        RuleFor(x => x.Kota).Custom((kota, context) =>
        {
            if (kota?.Length > regions.Kota.Count)
            {
                // DKI has six kota; a longer list can only repeat them, so one message instead of one per entry.
                context.AddFailure(new ValidationFailure("kota", L.T(
                    $"List at most {regions.Kota.Count} kota, each once.",
                    $"Cantumkan paling banyak {regions.Kota.Count} kota, masing-masing sekali.")));
                return;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < (kota?.Length ?? 0); i++)
            {
                var code = kota![i];
                var field = $"kota[{i}]";
                if (string.IsNullOrWhiteSpace(code))
                {
                    context.AddFailure(new ValidationFailure(field, L.T("A kota code is required.", "Kode kota wajib diisi.")));
                }
                else if (regions.Find(code, RegionLevel.Kota) is null)
                {
                    context.AddFailure(new ValidationFailure(field, L.T($"Unknown kota code '{code}'.", $"Kode kota '{code}' tidak dikenal.")));
                }
                else if (!seen.Add(code))
                {
                    context.AddFailure(new ValidationFailure(field, L.T($"Kota '{code}' is listed more than once.", $"Kota '{code}' tercantum lebih dari sekali.")));
                }
            }
        });
        RuleFor(x => x.DueDate).NotNull();
        RuleFor(x => x.MaterialUrl)
            .MaximumLength(HttpUrl.MaxLength)
            .Must(HttpUrl.IsValid).WithMessage(_ => HttpUrl.Message("materialUrl"))
            .When(x => x.MaterialUrl is not null);
    }
}

internal sealed class CampaignPatchRequestValidator : AbstractValidator<CampaignPatchRequest>
{
    public CampaignPatchRequestValidator()
    {
        RuleFor(x => x.DueDate).NotNull();
    }
}

internal sealed class ReportRequestValidator : AbstractValidator<ReportRequest>
{
    public ReportRequestValidator(RegionDirectory regions, TimeProvider time)
    {
        RuleFor(x => x.Kelurahan).NotEmpty();
        RuleFor(x => x.Kelurahan)
            .Must(k => regions.Find(k, RegionLevel.Kelurahan) is not null).When(x => !string.IsNullOrEmpty(x.Kelurahan))
            .WithMessage(x => L.T($"Unknown kelurahan code '{x.Kelurahan}'.", $"Kode kelurahan '{x.Kelurahan}' tidak dikenal."));
        RuleFor(x => x.Channel).NotEmpty();
        RuleFor(x => x.Channel)
            .Must(SosialisasiChannels.IsKnown).When(x => !string.IsNullOrEmpty(x.Channel))
            .WithMessage(x => L.T(
                $"Unknown channel '{x.Channel}'; use one of: {string.Join(", ", SosialisasiChannels.All)}.",
                $"Kanal '{x.Channel}' tidak dikenal; gunakan salah satu dari: {string.Join(", ", SosialisasiChannels.All)}."));
        RuleFor(x => x.Url)
            .NotEmpty().When(x => x.Channel != SosialisasiChannels.Offline)
            .WithMessage(_ => L.T(
                "'url' is required (evidence of the post) except for channel 'offline'.",
                "'url' wajib diisi (bukti unggahan) kecuali untuk kanal 'offline'."));
        RuleFor(x => x.Url)
            .MaximumLength(HttpUrl.MaxLength)
            .Must(HttpUrl.IsValid).WithMessage(_ => HttpUrl.Message("url"))
            .When(x => !string.IsNullOrEmpty(x.Url));
        RuleFor(x => x.Note)
            .NotEmpty().When(x => x.Channel == SosialisasiChannels.Offline)
            .WithMessage(_ => L.T(
                "'note' is required for channel 'offline' (where and with whom the meeting was held).",
                "'note' wajib diisi untuk kanal 'offline' (tempat dan peserta pertemuan)."));
        RuleFor(x => x.Note).MaximumLength(2000);
        RuleFor(x => x.PublishedOn).NotNull();
        RuleFor(x => x.PublishedOn)
            .Must(d => d <= Wib.Today(time)).When(x => x.PublishedOn is not null)
            .WithMessage(_ => L.T(
                $"'publishedOn' must not be after today ({Iso(Wib.Today(time))}, Asia/Jakarta).",
                $"'publishedOn' tidak boleh setelah hari ini ({Iso(Wib.Today(time))}, WIB)."));
        RuleFor(x => x.Reach).GreaterThanOrEqualTo(0).When(x => x.Reach is not null);
    }

    private static string Iso(DateOnly date) => Core.Data.Iso.Date(date);
}

internal static class SosialisasiEndpoints
{
    public static IEndpointRouteBuilder MapSosialisasi(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/api/v1/sosialisasi/campaigns").WithTags("Sosialisasi");
        campaigns.MapPost("/", Create)
            .WithValidation<CampaignRequest>()
            .WithName("CreateSosialisasiCampaign")
            .WithSummary("Launch a campaign: one obligation for every kelurahan of the listed kota. Admin, or the kota office for its own kota.");
        campaigns.MapGet("/", List)
            .WithName("ListSosialisasiCampaigns")
            .WithSummary("Campaigns the key may see (optionally those covering one kota), latest due date first.");
        campaigns.MapGet("/{code}", Get)
            .WithName("GetSosialisasiCampaign")
            .WithSummary("One campaign with its kota and how many kelurahan owe and have reported.");
        campaigns.MapPatch("/{code}", Patch)
            .WithValidation<CampaignPatchRequest>()
            .WithName("PatchSosialisasiCampaign")
            .WithSummary("Move the due date; on time / late re-evaluates for every kelurahan. Admin, or the kota office of every kota of the campaign.");
        campaigns.MapPost("/{code}/reports", Report)
            .WithValidation<ReportRequest>()
            .WithName("CreateSosialisasiReport")
            .WithSummary("Report a post or meeting for a kelurahan: the lurah's key, the kota office, or admin. The first report decides on time / late.");
        campaigns.MapGet("/{code}/status", Status)
            .WithName("GetSosialisasiStatus")
            .WithSummary("Who has reported, exact now: totals, per kecamatan and per kelurahan; filter by kota and kecamatan. Keys see only their kota (a lurah only their kelurahan).");
        return app;
    }

    public static bool IsValidCode(string? code) =>
        code is { Length: >= 1 and <= 64 } && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static async Task<Results<Created<CampaignResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CampaignRequest request, HttpContext http, SosialisasiQueries queries, PeriodQueries periods, RegionDirectory regions, CancellationToken ct)
    {
        var caller = http.Caller();
        var kota = request.Kota!.Select(k => regions.Find(k, RegionLevel.Kota)!).ToList();
        if (kota.FirstOrDefault(k => !caller.CanManage(k.Code)) is { } foreign)
        {
            return Problems.Forbidden(L.T(
                $"This API key may not launch campaigns for kota '{foreign.Code}' ({foreign.Name}).",
                $"Kunci API ini tidak berhak membuat kampanye untuk kota '{foreign.Code}' ({foreign.Name})."));
        }
        if (request.Period is not null && await periods.FindAsync(request.Period, ct) is null)
        {
            return Problems.Validation("period", L.T($"Unknown period '{request.Period}'.", $"Periode '{request.Period}' tidak dikenal."));
        }
        var created = await queries.CreateAsync(
            new NewCampaign(request.Code!, request.Title!.Trim(), request.Period, kota, request.DueDate!.Value, request.MaterialUrl),
            http.Actor(), ct);
        if (created is null)
        {
            return Problems.Conflict(L.T(
                $"A campaign with code '{request.Code}' already exists.",
                $"Kampanye dengan kode '{request.Code}' sudah ada."));
        }
        return TypedResults.Created($"/api/v1/sosialisasi/campaigns/{created.Campaign.Code}", CampaignResponse.From(created, regions));
    }

    private static async Task<Results<Ok<List<CampaignResponse>>, ValidationProblem, ProblemHttpResult>> List(
        HttpContext http, SosialisasiQueries queries, RegionDirectory regions, string? kota, CancellationToken ct)
    {
        if (kota is not null && regions.Find(kota, RegionLevel.Kota) is null)
        {
            return Problems.Validation("kota", L.T($"Unknown kota code '{kota}'.", $"Kode kota '{kota}' tidak dikenal."));
        }
        var scope = ReadScope.Of(http.Caller(), regions);
        if (!scope.Allowed || (scope.Kota is not null && kota is not null && kota != scope.Kota))
        {
            return Problems.Forbidden(ScopeMessage(kota ?? scope.Kota));
        }
        var list = await queries.ListAsync(kota ?? scope.Kota, ct);
        return TypedResults.Ok(list.Select(c => CampaignResponse.From(c, regions, scope.Kota)).ToList());
    }

    private static async Task<Results<Ok<CampaignResponse>, ProblemHttpResult>> Get(
        HttpContext http, SosialisasiQueries queries, RegionDirectory regions, string code, CancellationToken ct)
    {
        if (await queries.FindAsync(code, ct) is not { } campaign)
        {
            return CampaignNotFound(code);
        }
        var scope = ReadScope.Of(http.Caller(), regions);
        if (!scope.Allowed || (scope.Kota is not null && !campaign.Covers(scope.Kota)))
        {
            return Problems.Forbidden(ScopeMessage(scope.Kota));
        }
        return TypedResults.Ok(CampaignResponse.From(campaign, regions, scope.Kota));
    }

    private static async Task<Results<Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> Patch(
        CampaignPatchRequest request, HttpContext http, SosialisasiQueries queries, RegionDirectory regions, string code, CancellationToken ct)
    {
        if (await queries.FindAsync(code, ct) is not { } campaign)
        {
            return CampaignNotFound(code);
        }
        var caller = http.Caller();
        if (campaign.Kota.FirstOrDefault(k => !caller.CanManage(k.Kota)) is { } foreign)
        {
            return Problems.Forbidden(L.T(
                $"This API key may not manage campaign '{code}': it covers kota '{foreign.Kota}'.",
                $"Kunci API ini tidak berhak mengelola kampanye '{code}': kampanye mencakup kota '{foreign.Kota}'."));
        }
        if (await queries.SetDueDateAsync(code, request.DueDate!.Value, http.Actor(), ct) is not { } updated)
        {
            return CampaignNotFound(code);
        }
        return TypedResults.Ok(CampaignResponse.From(campaign with { Campaign = updated }, regions));
    }

    private static async Task<Results<Created<ReportResponse>, ValidationProblem, ProblemHttpResult>> Report(
        ReportRequest request, HttpContext http, SosialisasiQueries queries, RegionDirectory regions, string code, CancellationToken ct)
    {
        if (await queries.FindAsync(code, ct) is not { } campaign)
        {
            return CampaignNotFound(code);
        }
        var kelurahan = regions.Find(request.Kelurahan, RegionLevel.Kelurahan)!;
        if (!http.Caller().CanReportSosialisasi(kelurahan))
        {
            return Problems.Forbidden(L.T(
                $"This API key may not report for kelurahan '{kelurahan.Code}' ({kelurahan.Name}).",
                $"Kunci API ini tidak berhak melapor untuk kelurahan '{kelurahan.Code}' ({kelurahan.Name})."));
        }
        var outcome = await queries.AddReportAsync(
            code,
            new NewReport(kelurahan, request.Channel!, NullIfEmpty(request.Url), request.PublishedOn!.Value, request.Reach, NullIfEmpty(request.Note?.Trim())),
            http.Actor(), ct);
        if (outcome is null)
        {
            var kota = string.Join(", ", campaign.Kota.Select(k => k.Kota));
            return Problems.Unprocessable(L.T(
                $"Kelurahan '{kelurahan.Code}' ({kelurahan.Name}) is not covered by campaign '{code}' (kota {kota}).",
                $"Kelurahan '{kelurahan.Code}' ({kelurahan.Name}) tidak termasuk kampanye '{code}' (kota {kota})."));
        }
        return TypedResults.Created((string?)null, ReportResponse.From(outcome));
    }

    private static async Task<Results<Ok<StatusResponse>, ValidationProblem, ProblemHttpResult>> Status(
        HttpContext http, SosialisasiQueries queries, RegionDirectory regions, string code, string? kota, string? kecamatan, CancellationToken ct)
    {
        if (await queries.FindAsync(code, ct) is not { } campaign)
        {
            return CampaignNotFound(code);
        }
        var kotaRegion = kota is null ? null : regions.Find(kota, RegionLevel.Kota);
        if (kota is not null && kotaRegion is null)
        {
            return Problems.Validation("kota", L.T($"Unknown kota code '{kota}'.", $"Kode kota '{kota}' tidak dikenal."));
        }
        var kecamatanRegion = kecamatan is null ? null : regions.Find(kecamatan, RegionLevel.Kecamatan);
        if (kecamatan is not null && kecamatanRegion is null)
        {
            return Problems.Validation("kecamatan", L.T($"Unknown kecamatan code '{kecamatan}'.", $"Kode kecamatan '{kecamatan}' tidak dikenal."));
        }
        if (kotaRegion is not null && kecamatanRegion is not null && kecamatanRegion.KotaCode != kotaRegion.Code)
        {
            return Problems.Validation("kecamatan", L.T(
                $"Kecamatan '{kecamatan}' is not in kota '{kota}'.",
                $"Kecamatan '{kecamatan}' tidak berada di kota '{kota}'."));
        }
        var filterKota = kotaRegion?.Code ?? kecamatanRegion?.KotaCode;

        var scope = ReadScope.Of(http.Caller(), regions);
        if (!scope.Allowed
            || (scope.Kota is not null && filterKota is not null && filterKota != scope.Kota)
            || (scope.Kecamatan is not null && kecamatanRegion is not null && kecamatanRegion.Code != scope.Kecamatan)
            || (scope.Kota is not null && !campaign.Covers(scope.Kota)))
        {
            return Problems.Forbidden(ScopeMessage(filterKota ?? scope.Kota));
        }
        if (filterKota is not null && !campaign.Covers(filterKota))
        {
            var region = kecamatanRegion ?? kotaRegion!;
            return Problems.Unprocessable(L.T(
                $"'{region.Code}' ({region.Name}) is not covered by campaign '{code}'.",
                $"'{region.Code}' ({region.Name}) tidak termasuk kampanye '{code}'."));
        }

        var status = await queries.StatusAsync(code, new StatusFilter(filterKota ?? scope.Kota, kecamatanRegion?.Code, scope.Kelurahan), ct);
        if (status is null)
        {
            return CampaignNotFound(code);
        }
        var kecamatanRows = status.Kecamatan
            .Select(k => new KecamatanStatusResponse(k.Code, regions.Find(k.Code)?.Name ?? k.Code, k.Kelurahan, k.Reported, k.OnTime, k.Late, k.Pending))
            .ToList();
        var totals = new StatusTotals(
            kecamatanRows.Sum(k => k.Kelurahan), kecamatanRows.Sum(k => k.Reported), kecamatanRows.Sum(k => k.OnTime),
            kecamatanRows.Sum(k => k.Late), kecamatanRows.Sum(k => k.Pending));
        var kelurahanRows = status.Kelurahan
            .Select(k => new KelurahanStatusResponse(k.Code, regions.Find(k.Code)?.Name ?? k.Code, k.Kecamatan, k.Kota, k.Status, k.FirstReportedAt, k.Reports))
            .ToList();
        return TypedResults.Ok(new StatusResponse(status.Campaign.Code, status.Campaign.DueDate, status.AsOf, totals, kecamatanRows, kelurahanRows));
    }

    private static ProblemHttpResult CampaignNotFound(string code) =>
        Problems.NotFound(L.T($"No sosialisasi campaign has code '{code}'.", $"Tidak ada kampanye sosialisasi dengan kode '{code}'."));

    private static string ScopeMessage(string? kota) => kota is null
        ? L.T("This API key may not read sosialisasi figures.", "Kunci API ini tidak berhak membaca data sosialisasi.")
        : L.T($"This API key may not read sosialisasi figures of kota '{kota}'.", $"Kunci API ini tidak berhak membaca data sosialisasi kota '{kota}'.");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>
    /// What a key may read: everything (admin, province viewer), one kota (kota office, sudin,
    /// kota viewer), or one kelurahan (a lurah's key), or nothing (a key without its scope).
    /// </summary>
    private sealed record ReadScope(bool Allowed, string? Kota, string? Kecamatan, string? Kelurahan)
    {
        public static ReadScope Of(Caller caller, RegionDirectory regions)
        {
            if (caller.IsAdmin)
            {
                return new(true, null, null, null);
            }
            if (caller.Role == Roles.Kelurahan)
            {
                return regions.Find(caller.Kelurahan, RegionLevel.Kelurahan) is { } k && caller.CanReadKelurahan(k)
                    ? new(true, k.KotaCode, k.KecamatanCode, k.Code)
                    : new(false, null, null, null);
            }
            return caller.CanRead(caller.ReadScopeKota)
                ? new(true, caller.ReadScopeKota, null, null)
                : new(false, null, null, null);
        }
    }
}
