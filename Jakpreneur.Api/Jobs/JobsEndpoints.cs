using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Jobs;

public sealed record JobTriggered(string Name, string Status);

internal static class JobsEndpoints
{
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/v1/jobs").WithTags("Jobs").RequireAuthorization(AuthSetup.AdminPolicy);
        jobs.MapGet("/", async (JobsCatalog catalog, CancellationToken ct) => TypedResults.Ok(await catalog.ListAsync(ct)))
            .WithName("ListJobs")
            .WithSummary("Background jobs with their schedule (cron, time zone), next and last run and last result. Admin only.");
        jobs.MapPost("/{name}/trigger", Trigger)
            .WithName("TriggerJob")
            .WithSummary("Run a job now (202). Without an in-process scheduler the job body runs before the answer. Admin only.");
        return app;
    }

    private static async Task<Results<Accepted<JobTriggered>, ProblemHttpResult>> Trigger(JobsCatalog catalog, string name, CancellationToken ct) =>
        await catalog.TriggerAsync(name, ct)
            ? TypedResults.Accepted("/api/v1/jobs", new JobTriggered(name, "triggered"))
            : Problems.NotFound(L.T(
                $"No job is named '{name}'; jobs are deadline-reminders, notification-dispatch and sosialisasi-reports.",
                $"Tidak ada job bernama '{name}'; job yang ada: deadline-reminders, notification-dispatch, sosialisasi-reports."));
}
