using FluentValidation;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Periods;
using Jakpreneur.Core.Regions;
using Jakpreneur.Core.Targets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Targets;

public sealed record TargetRequest(long? Target);

public sealed record TargetResponse(string Period, string Kota, string Sudin, long Target, long Version, DateTimeOffset UpdatedAt)
{
    public static TargetResponse From(SudinTarget t) => new(t.Period, t.Kota, t.Sudin, t.Target, t.Version, t.UpdatedAt);
}

public sealed record DeclaredTotalRequest(long? Total, string? Source);

public sealed record DeclaredTotalResponse(string Period, string Kota, long Total, string Source, long Version, DateTimeOffset UpdatedAt)
{
    public static DeclaredTotalResponse From(DeclaredTotal t) => new(t.Period, t.Kota, t.Total, t.Source, t.Version, t.UpdatedAt);
}

internal sealed class TargetRequestValidator : AbstractValidator<TargetRequest>
{
    public TargetRequestValidator()
    {
        RuleFor(x => x.Target).NotNull().InclusiveBetween(0, 100_000_000);
    }
}

internal sealed class DeclaredTotalRequestValidator : AbstractValidator<DeclaredTotalRequest>
{
    public DeclaredTotalRequestValidator()
    {
        RuleFor(x => x.Total).NotNull().InclusiveBetween(0, 100_000_000);
        RuleFor(x => x.Source).NotEmpty().MaximumLength(500);
    }
}

internal static class TargetsEndpoints
{
    public static IEndpointRouteBuilder MapTargets(this IEndpointRouteBuilder app)
    {
        var periods = app.MapGroup("/api/v1/periods/{period}").WithTags("Targets");
        periods.MapGet("/targets", List)
            .WithName("ListTargets")
            .WithSummary("Sudin targets of a period, optionally of one kota (a kota-scoped key sees its own kota).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        periods.MapGet("/targets/{kota}/{sudin}", Get)
            .WithName("GetTarget")
            .WithSummary("One sudin target with its ETag (send it back in If-Match when updating).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        periods.MapPut("/targets/{kota}/{sudin}", Put)
            .WithValidation<TargetRequest>()
            .WithName("PutTarget")
            .WithSummary("Create (201) or update (200) a sudin target. If-Match with a stale ETag answers 412. Admin or the kota's key.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        periods.MapGet("/declared-totals/{kota}", GetDeclared)
            .WithName("GetDeclaredTotal")
            .WithSummary("The total a walikota office announced for a period.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        periods.MapPut("/declared-totals/{kota}", PutDeclared)
            .WithValidation<DeclaredTotalRequest>()
            .WithName("PutDeclaredTotal")
            .WithSummary("Record (201) or update (200) the total a walikota office announced, for reconciliation against the sum of sudin targets.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    private static async Task<Results<Ok<IEnumerable<TargetResponse>>, ProblemHttpResult, ValidationProblem>> List(
        PeriodQueries periods, TargetQueries targets, RegionDirectory regions, HttpContext http, string period, string? kota, CancellationToken ct)
    {
        if (await periods.FindAsync(period, ct) is null)
        {
            return UnknownPeriod(period);
        }
        var caller = http.Caller();
        if (kota is not null && regions.Find(kota, RegionLevel.Kota) is null)
        {
            return Problems.Validation("kota", L.T($"Unknown kota code '{kota}'.", $"Kode kota '{kota}' tidak dikenal."));
        }
        var scope = kota ?? caller.ReadScopeKota;
        if (!caller.CanRead(scope))
        {
            return Problems.Forbidden();
        }
        var rows = await targets.ListAsync(period, scope, ct);
        return TypedResults.Ok(rows.Select(TargetResponse.From));
    }

    private static async Task<Results<Ok<TargetResponse>, ProblemHttpResult>> Get(
        PeriodQueries periods, TargetQueries targets, RegionDirectory regions, HttpContext http,
        string period, string kota, string sudin, CancellationToken ct)
    {
        if (await CheckRouteAsync(periods, regions, period, kota, sudin, ct) is { } problem)
        {
            return problem;
        }
        if (!http.Caller().CanRead(kota))
        {
            return Problems.Forbidden();
        }
        var target = await targets.FindAsync(period, kota, sudin, ct);
        if (target is null)
        {
            return Problems.NotFound(L.T(
                $"No target is set for {sudin} in kota {kota} for period {period}.",
                $"Belum ada target {sudin} untuk kota {kota} pada periode {period}."));
        }
        http.Response.Headers.ETag = EntityTags.ForVersion(target.Version);
        return TypedResults.Ok(TargetResponse.From(target));
    }

    private static async Task<Results<Created<TargetResponse>, Ok<TargetResponse>, ProblemHttpResult>> Put(
        PeriodQueries periods, TargetQueries targets, RegionDirectory regions, HttpContext http,
        string period, string kota, string sudin, TargetRequest request, CancellationToken ct)
    {
        if (await CheckRouteAsync(periods, regions, period, kota, sudin, ct) is { } problem)
        {
            return problem;
        }
        if (!http.Caller().CanManage(kota))
        {
            return Problems.Forbidden(L.T(
                $"Only an admin or the key of kota {kota} may set its targets.",
                $"Hanya admin atau kunci kota {kota} yang boleh menetapkan targetnya."));
        }
        var (target, outcome) = await targets.UpsertAsync(
            period, kota, sudin, request.Target!.Value, http.Request.Headers.IfMatch.ToString(), http.Actor(), ct);
        if (outcome == WriteOutcome.PreconditionFailed)
        {
            return StalePrecondition(target?.Version);
        }
        http.Response.Headers.ETag = EntityTags.ForVersion(target!.Version);
        var response = TargetResponse.From(target);
        return outcome == WriteOutcome.Created
            ? TypedResults.Created($"/api/v1/periods/{period}/targets/{kota}/{sudin}", response)
            : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<DeclaredTotalResponse>, ProblemHttpResult>> GetDeclared(
        PeriodQueries periods, TargetQueries targets, RegionDirectory regions, HttpContext http,
        string period, string kota, CancellationToken ct)
    {
        if (await CheckRouteAsync(periods, regions, period, kota, null, ct) is { } problem)
        {
            return problem;
        }
        if (!http.Caller().CanRead(kota))
        {
            return Problems.Forbidden();
        }
        var total = await targets.FindDeclaredAsync(period, kota, ct);
        if (total is null)
        {
            return Problems.NotFound(L.T(
                $"No declared total is recorded for kota {kota} in period {period}.",
                $"Belum ada total yang diumumkan untuk kota {kota} pada periode {period}."));
        }
        http.Response.Headers.ETag = EntityTags.ForVersion(total.Version);
        return TypedResults.Ok(DeclaredTotalResponse.From(total));
    }

    private static async Task<Results<Created<DeclaredTotalResponse>, Ok<DeclaredTotalResponse>, ProblemHttpResult>> PutDeclared(
        PeriodQueries periods, TargetQueries targets, RegionDirectory regions, HttpContext http,
        string period, string kota, DeclaredTotalRequest request, CancellationToken ct)
    {
        if (await CheckRouteAsync(periods, regions, period, kota, null, ct) is { } problem)
        {
            return problem;
        }
        if (!http.Caller().CanManage(kota))
        {
            return Problems.Forbidden(L.T(
                $"Only an admin or the key of kota {kota} may record its declared total.",
                $"Hanya admin atau kunci kota {kota} yang boleh mencatat total yang diumumkannya."));
        }
        var (total, outcome) = await targets.UpsertDeclaredAsync(
            period, kota, request.Total!.Value, request.Source!.Trim(), http.Request.Headers.IfMatch.ToString(), http.Actor(), ct);
        if (outcome == WriteOutcome.PreconditionFailed)
        {
            return StalePrecondition(total?.Version);
        }
        http.Response.Headers.ETag = EntityTags.ForVersion(total!.Version);
        var response = DeclaredTotalResponse.From(total);
        return outcome == WriteOutcome.Created
            ? TypedResults.Created($"/api/v1/periods/{period}/declared-totals/{kota}", response)
            : TypedResults.Ok(response);
    }

    /// <summary>Unknown period, kota or sudin in the route: 404 naming the code.</summary>
    private static async Task<ProblemHttpResult?> CheckRouteAsync(
        PeriodQueries periods, RegionDirectory regions, string period, string kota, string? sudin, CancellationToken ct)
    {
        if (await periods.FindAsync(period, ct) is null)
        {
            return UnknownPeriod(period);
        }
        if (regions.Find(kota, RegionLevel.Kota) is null)
        {
            return Problems.NotFound(L.T($"No kota has code '{kota}'.", $"Tidak ada kota dengan kode '{kota}'."));
        }
        if (sudin is not null && Sudin.Find(sudin) is null)
        {
            return Problems.NotFound(L.T($"No sudin has code '{sudin}'.", $"Tidak ada sudin dengan kode '{sudin}'."));
        }
        return null;
    }

    internal static ProblemHttpResult UnknownPeriod(string period) =>
        Problems.NotFound(L.T($"No period has code '{period}'.", $"Tidak ada periode dengan kode '{period}'."));

    private static ProblemHttpResult StalePrecondition(long? currentVersion) =>
        Problems.PreconditionFailed(currentVersion is null
            ? L.T("If-Match was sent but nothing is stored here yet.", "If-Match dikirim tetapi belum ada data tersimpan di sini.")
            : L.T($"If-Match does not match the current ETag {EntityTags.ForVersion(currentVersion.Value)}; read it again and retry.",
                $"If-Match tidak cocok dengan ETag saat ini {EntityTags.ForVersion(currentVersion.Value)}; baca ulang lalu coba lagi."));
}
