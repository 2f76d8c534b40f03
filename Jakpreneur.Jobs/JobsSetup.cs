using Jakpreneur.Core.Contacts;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Jobs;
using Jakpreneur.Core.Notifications;
using Jakpreneur.Core.Reports;
using Jakpreneur.Core.Rollups;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Jakpreneur.Jobs;

public sealed class JobScheduleOptions
{
    public string Cron { get; set; } = "";
}

public sealed class JobsOptions
{
    /// <summary>Host the scheduler inside the API process (default). False when a separate Jakpreneur.Jobs worker runs it.</summary>
    public bool InProcess { get; set; } = true;

    public string TimeZone { get; set; } = "Asia/Jakarta";

    public JobScheduleOptions DeadlineReminders { get; set; } = new() { Cron = "0 0 8 * * ?" };

    public JobScheduleOptions NotificationDispatch { get; set; } = new() { Cron = "0 * * * * ?" };

    public JobScheduleOptions SosialisasiReports { get; set; } = new() { Cron = "0 0 7 * * ?" };

    /// <summary>Retries of a failed job run (the scheduler's retry policy), before the next regular firing.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait before the first retry of a failed job run; doubled for each further retry.</summary>
    public int RetryBackoffSeconds { get; set; } = 30;
}

/// <summary>Whether this process runs the scheduler, and the zone its schedules are read in.</summary>
public sealed record JobsRuntime(bool SchedulerInProcess, TimeZoneInfo TimeZone);

public static class JobsSetup
{
    /// <summary>
    /// The background half of the product: contacts, outbox, reminders, dispatch and reports services,
    /// and — when <paramref name="runScheduler"/> (default <c>Jobs:InProcess</c>) — a Quartz scheduler
    /// with a persistent store on the application database.
    /// </summary>
    public static IServiceCollection AddJakpreneurJobs(this IServiceCollection services, IConfiguration config, bool? runScheduler = null)
    {
        var options = config.GetSection("Jobs").Get<JobsOptions>() ?? new JobsOptions();
        var zone = FindZone(options.TimeZone);
        var scheduler = runScheduler ?? options.InProcess;

        // Configure the plain services the jobs call (no Quartz in them).
        services.Configure<NotificationOptions>(config.GetSection("Notifications"));
        services.Configure<SmtpOptions>(config.GetSection("Smtp"));
        services.Configure<ReportOptions>(config.GetSection("Reports"));
        services.AddHttpClient(WebhookSender.ClientName);
        services.AddSingleton<ContactQueries>();
        services.AddSingleton<NotificationQueries>();
        services.AddSingleton<EmailSender>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<DeadlineReminderService>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<ReportQueries>();
        services.AddSingleton<SosialisasiReportService>();
        services.AddSingleton<ReportQueue>();
        services.AddHostedService<ReportWorker>();
        // The compiled report carries the kota's target-vs-achievement roll-up from the ledger.
        services.TryAddSingleton<RollupQueries>();
        services.TryAddSingleton<IKotaRollupSource, LedgerKotaRollupSource>();

        // Configure the job catalogue: name, schedule, body.
        services.AddSingleton(new JobDefinition(JobNames.DeadlineReminders, options.DeadlineReminders.Cron,
            async (sp, ct) => (await sp.GetRequiredService<DeadlineReminderService>().RunAsync(ct)).ToString()));
        services.AddSingleton(new JobDefinition(JobNames.NotificationDispatch, options.NotificationDispatch.Cron,
            async (sp, ct) => (await sp.GetRequiredService<NotificationDispatcher>().RunAsync(ct)).ToString()));
        services.AddSingleton(new JobDefinition(JobNames.SosialisasiReports, options.SosialisasiReports.Cron,
            (sp, ct) => sp.GetRequiredService<SosialisasiReportService>().RunDailyAsync(ct)));
        services.AddSingleton<JobRunner>();
        services.AddSingleton(new JobsRuntime(scheduler, zone));
        services.AddSingleton<JobsCatalog>();

        if (scheduler)
        {
            AddScheduler(services, RegisteredDb(services), options, zone);
        }
        return services;
    }

    private static void AddScheduler(IServiceCollection services, Db db, JobsOptions options, TimeZoneInfo zone)
    {
        if (db.Dialect.IsSqlite)
        {
            // Registered before Quartz's hosted service, so a second scheduler stops before touching the store.
            services.AddHostedService(sp => new SqliteSchedulerLock(db, sp.GetRequiredService<ILogger<SqliteSchedulerLock>>()));
        }
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "jakpreneur";
                if (!db.Dialect.IsSqlite)
                {
                    s.GenerateInstanceId = true;
                }
            });
            q.UseDefaultRetryPolicy(RetryPolicy.Exponential(
                Math.Max(1, options.MaxAttempts), TimeSpan.FromSeconds(options.RetryBackoffSeconds), 2, TimeSpan.FromHours(1)));
            q.UsePersistentStore(s =>
            {
                if (db.Dialect.IsSqlite)
                {
                    s.UseSqlite(db.ConnectionString);
                }
                else
                {
                    s.UseSqlServer(db.ConnectionString);
                    s.UseClustering();
                }
                s.UseSystemTextJsonSerializer();
                s.ProvisionSchema();
            });
            Schedule<DeadlineRemindersJob>(q, JobNames.DeadlineReminders, options.DeadlineReminders.Cron, zone);
            Schedule<NotificationDispatchJob>(q, JobNames.NotificationDispatch, options.NotificationDispatch.Cron, zone);
            Schedule<SosialisasiReportsJob>(q, JobNames.SosialisasiReports, options.SosialisasiReports.Cron, zone);
        });
        // Stored job state (next and previous fire times) survives restarts instead of being overwritten.
        services.Configure<QuartzOptions>(o => o.Scheduling.IgnoreDuplicates = true);
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }

    private static void Schedule<TJob>(IQuartzBuilder q, string name, string cron, TimeZoneInfo zone) where TJob : IJob =>
        q.ScheduleJob<TJob>(
            t => t.WithIdentity(name).WithCronSchedule(cron, c => c.InTimeZone(zone)),
            j => j.WithIdentity(name));

    public static TimeZoneInfo FindZone(string id)
    {
        if (id == "Asia/Jakarta")
        {
            return Core.Common.Wib.Zone;
        }
        return TimeZoneInfo.FindSystemTimeZoneById(id);
    }

    private static Db RegisteredDb(IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(Db))?.ImplementationInstance as Db
        ?? throw new InvalidOperationException("Register the Db (AddJakpreneurApi or the worker's set-up) before AddJakpreneurJobs.");
}
