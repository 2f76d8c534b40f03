using Dapper;
using Jakpreneur.Core.Data;
using Microsoft.Extensions.Logging;

namespace Jakpreneur.Core.Jobs;

public static class JobNames
{
    public const string DeadlineReminders = "deadline-reminders";
    public const string NotificationDispatch = "notification-dispatch";
    public const string SosialisasiReports = "sosialisasi-reports";

    public static readonly string[] All = [DeadlineReminders, NotificationDispatch, SosialisasiReports];
}

/// <summary>
/// A background job as the product knows it: a name, its cron schedule and a plain body that
/// returns a one-line result. The scheduler (Quartz today) only decides when a body runs.
/// </summary>
public sealed record JobDefinition(string Name, string Cron, Func<IServiceProvider, CancellationToken, Task<string>> Body);

public sealed record JobRun(string Name, DateTimeOffset? LastStartedAt, DateTimeOffset? LastFinishedAt, string? LastResult);

/// <summary>Runs job bodies and records each run's start, end and result in <c>job_runs</c>.</summary>
public sealed class JobRunner(IEnumerable<JobDefinition> definitions, IServiceProvider services, Db db, TimeProvider time, ILogger<JobRunner> logger)
{
    private readonly Dictionary<string, JobDefinition> _byName = definitions.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<JobDefinition> Definitions => _byName.Values;

    public JobDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    public async Task<string> RunAsync(string name, CancellationToken ct)
    {
        var definition = Find(name) ?? throw new ArgumentException($"Unknown job '{name}'.", nameof(name));
        await RecordAsync(name, started: time.GetUtcNow(), finished: null, result: "running", ct);
        try
        {
            var result = await definition.Body(services, ct);
            await RecordAsync(name, started: null, finished: time.GetUtcNow(), result: $"ok: {result}", ct);
            logger.LogInformation("Job {Job} finished: {Result}", name, result);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Job {Job} failed", name);
            await RecordAsync(name, started: null, finished: time.GetUtcNow(), result: Truncate($"failed: {e.Message}", 1900), CancellationToken.None);
            throw;
        }
    }

    public async Task<IReadOnlyDictionary<string, JobRun>> LastRunsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<JobRun>(new CommandDefinition(
            """
            SELECT name AS Name, last_started_at AS LastStartedAt, last_finished_at AS LastFinishedAt, last_result AS LastResult
            FROM job_runs
            """, cancellationToken: ct));
        return rows.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    private async Task RecordAsync(string name, DateTimeOffset? started, DateTimeOffset? finished, string result, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var args = new { name, started, finished, result };
        const string update = """
            UPDATE job_runs SET last_started_at = COALESCE(@started, last_started_at),
                   last_finished_at = CASE WHEN @started IS NULL THEN @finished ELSE last_finished_at END,
                   last_result = @result
            WHERE name = @name
            """;
        if (await connection.ExecuteAsync(new CommandDefinition(update, args, cancellationToken: ct)) > 0)
        {
            return;
        }
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO job_runs (name, last_started_at, last_finished_at, last_result)
                VALUES (@name, @started, @finished, @result)
                """, args, cancellationToken: ct));
        }
        catch (Exception e) when (SqlDialect.IsUniqueViolation(e))
        {
            // Another worker recorded the first run of this job at the same moment.
            await connection.ExecuteAsync(new CommandDefinition(update, args, cancellationToken: ct));
        }
    }

    internal static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
