using Dapper;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Health;

public sealed record HealthResponse(string Status);

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => TypedResults.Ok(new HealthResponse("live")))
            .WithName("Live")
            .WithSummary("The process is up.");
        health.MapGet("/ready", Ready)
            .WithName("Ready")
            .WithSummary("The database answers.");
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> Ready(Db db, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            await using var connection = await db.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            return TypedResults.Ok(new HealthResponse("ready"));
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            loggers.CreateLogger("Health").LogWarning(e, "Readiness check failed");
            return Problems.Make(StatusCodes.Status503ServiceUnavailable, L.T("Not ready", "Belum siap"),
                L.T("The database does not answer.", "Basis data tidak menjawab."));
        }
    }
}
