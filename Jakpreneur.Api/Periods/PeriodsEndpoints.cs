using FluentValidation;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Periods;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Periods;

public sealed record PeriodRequest(string? Name, DateOnly? StartDate, DateOnly? EndDate, DateOnly? TargetDeadline);

public sealed record PeriodResponse(
    string Code, string Name, DateOnly StartDate, DateOnly EndDate, DateOnly TargetDeadline,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PeriodResponse From(Period p) => new(p.Code, p.Name, p.StartDate, p.EndDate, p.TargetDeadline, p.CreatedAt, p.UpdatedAt);
}

internal sealed class PeriodRequestValidator : AbstractValidator<PeriodRequest>
{
    public PeriodRequestValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
        RuleFor(x => x.StartDate).NotNull();
        RuleFor(x => x.EndDate).NotNull();
        RuleFor(x => x.EndDate)
            .GreaterThanOrEqualTo(x => x.StartDate).When(x => x.StartDate is not null)
            .WithMessage(_ => L.T("'endDate' must not be before 'startDate'.", "'endDate' tidak boleh sebelum 'startDate'."));
        RuleFor(x => x.TargetDeadline).NotNull();
    }
}

internal static class PeriodsEndpoints
{
    public static IEndpointRouteBuilder MapPeriods(this IEndpointRouteBuilder app)
    {
        var periods = app.MapGroup("/api/v1/periods").WithTags("Periods");
        periods.MapGet("/", async (PeriodQueries queries, CancellationToken ct) =>
                TypedResults.Ok((await queries.ListAsync(ct)).Select(PeriodResponse.From)))
            .WithName("ListPeriods")
            .WithSummary("Programme years, newest first.");
        periods.MapGet("/{code}", Get)
            .WithName("GetPeriod")
            .WithSummary("One programme year.");
        periods.MapPut("/{code}", Put)
            .WithValidation<PeriodRequest>()
            .RequireAuthorization(AuthSetup.AdminPolicy)
            .WithName("PutPeriod")
            .WithSummary("Create (201) or update (200) a programme year. Admin only.");
        return app;
    }

    public static bool IsValidCode(string code) =>
        code.Length is >= 1 and <= 32 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static async Task<Results<Ok<PeriodResponse>, ProblemHttpResult>> Get(PeriodQueries queries, string code, CancellationToken ct) =>
        await queries.FindAsync(code, ct) is { } period
            ? TypedResults.Ok(PeriodResponse.From(period))
            : Problems.NotFound(L.T($"No period has code '{code}'.", $"Tidak ada periode dengan kode '{code}'."));

    private static async Task<Results<Created<PeriodResponse>, Ok<PeriodResponse>, ValidationProblem>> Put(
        PeriodQueries queries, HttpContext http, string code, PeriodRequest request, CancellationToken ct)
    {
        if (!IsValidCode(code))
        {
            return Problems.Validation("code", L.T(
                "A period code is 1 to 32 letters, digits, '-' or '_'.",
                "Kode periode terdiri dari 1 sampai 32 huruf, angka, '-' atau '_'."));
        }
        var (period, created) = await queries.UpsertAsync(
            new Period(code, request.Name!.Trim(), request.StartDate!.Value, request.EndDate!.Value, request.TargetDeadline!.Value),
            http.Actor(), ct);
        var response = PeriodResponse.From(period);
        return created ? TypedResults.Created($"/api/v1/periods/{code}", response) : TypedResults.Ok(response);
    }
}
