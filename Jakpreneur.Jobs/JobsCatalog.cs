using Jakpreneur.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Jakpreneur.Jobs;

public sealed record JobInfo(string Name, string Schedule, string TimeZone, DateTimeOffset? NextRunAt, DateTimeOffset? LastRunAt, string? LastResult);

/// <summary>
/// What operators see and do through <c>/jobs</c>. With the scheduler in this process the answers
/// come from Quartz's store and a trigger fires the Quartz job; without it (<c>Jobs:InProcess=false</c>)
/// schedules come from configuration and a trigger runs the job body here, at once.
/// </summary>
public sealed class JobsCatalog(JobRunner runner, JobsRuntime runtime, IServiceProvider services, TimeProvider time, ILogger<JobsCatalog> logger)
{
    public bool Exists(string name) => runner.Find(name) is not null;

    public async Task<IReadOnlyList<JobInfo>> ListAsync(CancellationToken ct)
    {
        var runs = await runner.LastRunsAsync(ct);
        var scheduler = runtime.SchedulerInProcess ? await services.GetRequiredService<ISchedulerFactory>().GetScheduler(ct) : null;
        var jobs = new List<JobInfo>();
        foreach (var name in JobNames.All)
        {
            var definition = runner.Find(name)!;
            var schedule = definition.Cron;
            DateTimeOffset? next = null, previous = null;
            if (scheduler is not null && (await scheduler.GetTriggersOfJob(new JobKey(name), ct)).FirstOrDefault() is { } trigger)
            {
                schedule = (trigger as ICronTrigger)?.CronExpressionString ?? schedule;
                next = trigger.NextFireTimeUtc;
                previous = trigger.PreviousFireTimeUtc;
            }
            else
            {
                next = new CronExpression(definition.Cron, runtime.TimeZone).GetNextValidTimeAfter(time.GetUtcNow());
            }
            var run = runs.GetValueOrDefault(name);
            jobs.Add(new JobInfo(name, schedule, runtime.TimeZone.Id, next, run?.LastStartedAt ?? previous, run?.LastResult));
        }
        return jobs;
    }

    /// <summary>Fires a job now; false when no job has this name.</summary>
    public async Task<bool> TriggerAsync(string name, CancellationToken ct)
    {
        if (!Exists(name))
        {
            return false;
        }
        if (runtime.SchedulerInProcess)
        {
            var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(ct);
            await scheduler.TriggerJob(new JobKey(name), ct);
            return true;
        }
        try
        {
            await runner.RunAsync(name, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Recorded as the job's lastResult by the runner; the trigger itself was accepted.
            logger.LogWarning("Triggered job {Job} failed: {Error}", name, e.Message);
        }
        return true;
    }
}
