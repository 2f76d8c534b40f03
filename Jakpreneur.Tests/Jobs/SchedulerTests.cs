using System.Net;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Jobs;

/// <summary>The Quartz scheduler hosted in the API (Jobs:InProcess=true) with its persistent store on the fixture's database.</summary>
public sealed class SchedulerTests(string provider) : ApiTest(provider)
{
    private static readonly Dictionary<string, string?> InProcess = new() { ["Jobs:InProcess"] = "true" };

    protected override IReadOnlyDictionary<string, string?> Settings => InProcess;

    [Test]
    public async Task JobsAreListedFromTheSchedulerWithCronTimeZoneAndNextRun()
    {
        var jobs = await WaitForJobsAsync(Admin);

        Assert.That(jobs.Keys, Is.EquivalentTo(new[] { "deadline-reminders", "notification-dispatch", "sosialisasi-reports" }));
        Assert.That(jobs["deadline-reminders"].GetProperty("schedule").GetString(), Is.EqualTo("0 0 8 * * ?"));
        Assert.That(jobs["sosialisasi-reports"].GetProperty("schedule").GetString(), Is.EqualTo("0 0 7 * * ?"));
        Assert.That(jobs["notification-dispatch"].GetProperty("timeZone").GetString(), Is.EqualTo("Asia/Jakarta"));
        var next = jobs["deadline-reminders"].GetProperty("nextRunAt").GetDateTimeOffset();
        Assert.That(next.ToOffset(TimeSpan.FromHours(7)).TimeOfDay, Is.EqualTo(TimeSpan.FromHours(8)), "08:00 WIB");
    }

    [Test]
    public async Task TriggerFiresTheJobThroughTheScheduler()
    {
        await WaitForJobsAsync(Admin);

        var response = await Admin.PostAsync("/api/v1/jobs/notification-dispatch/trigger", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        for (var i = 0; i < 100; i++)
        {
            var jobs = await WaitForJobsAsync(Admin);
            if (jobs["notification-dispatch"].GetProperty("lastResult").GetString() is { } result && result.StartsWith("ok:", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("the triggered job did not run within 10 s");
    }

    [Test]
    public async Task ASecondSchedulerOnTheSameSqliteFileIsRefused()
    {
        if (Provider != Providers.Sqlite)
        {
            Assert.Ignore("SQL Server runs clustered schedulers; the one-scheduler rule is SQLite's.");
        }
        await using var second = new JakpreneurApp(App.Database, new FakeTimeProvider(FakeTimeProvider.DefaultStart), InProcess);

        var error = Assert.Catch(() => _ = second.Server);

        var messages = string.Join(" | ", Chain(error));
        Assert.That(messages, Does.Contain("Another Jakpreneur scheduler already runs on this SQLite database").And.Contain("Jobs:InProcess=false"));
    }

    [Test]
    public async Task JobStateSurvivesARestartOfTheHost()
    {
        await using var database = await TestDatabase.CreateAsync(Provider);
        long firstNext;
        await using (var first = new JakpreneurApp(database, new FakeTimeProvider(FakeTimeProvider.DefaultStart), InProcess))
        {
            _ = first.Server;
            firstNext = await WaitForTriggerAsync(first, "deadline-reminders");
        }

        await using var second = new JakpreneurApp(database, new FakeTimeProvider(FakeTimeProvider.DefaultStart), InProcess);
        _ = second.Server;
        var secondNext = await WaitForTriggerAsync(second, "deadline-reminders");
        using var admin = second.ClientWithKey(JakpreneurApp.AdminKey);
        var listed = (await WaitForJobsAsync(admin))["deadline-reminders"].GetProperty("nextRunAt").GetDateTimeOffset();

        Assert.That(secondNext, Is.EqualTo(firstNext), "the stored trigger was kept, not replaced");
        Assert.That(listed.UtcTicks, Is.EqualTo(firstNext));
        await using var connection = await second.Services.GetRequiredService<Db>().OpenAsync();
        var triggers = await connection.QueryAsync<string>("SELECT TRIGGER_NAME FROM QRTZ_TRIGGERS ORDER BY TRIGGER_NAME");
        Assert.That(triggers, Is.EqualTo(new[] { "deadline-reminders", "notification-dispatch", "sosialisasi-reports" }));
    }

    private static async Task<long> WaitForTriggerAsync(JakpreneurApp app, string name)
    {
        var db = app.Services.GetRequiredService<Db>();
        for (var i = 0; i < 100; i++)
        {
            await using var connection = await db.OpenAsync();
            var exists = await connection.ExecuteScalarAsync<long>(db.Dialect.IsSqlite
                ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'QRTZ_TRIGGERS'"
                : "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'QRTZ_TRIGGERS'");
            if (exists > 0 && await connection.ExecuteScalarAsync<long?>(
                    "SELECT NEXT_FIRE_TIME FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = @name", new { name }) is { } next)
            {
                return next;
            }
            await Task.Delay(100);
        }
        throw new AssertionException($"no stored trigger for {name} within 10 s");
    }

    private static async Task<Dictionary<string, JsonElement>> WaitForJobsAsync(HttpClient admin)
    {
        for (var i = 0; ; i++)
        {
            var response = await admin.GetAsync("/api/v1/jobs");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var jobs = (await ReadJsonAsync(response)).EnumerateArray().ToDictionary(j => j.GetProperty("name").GetString()!);
                if (jobs.Values.All(j => j.GetProperty("nextRunAt").ValueKind == JsonValueKind.String) || i >= 100)
                {
                    return jobs;
                }
            }
            else if (i >= 100)
            {
                Assert.Fail($"GET /jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            await Task.Delay(100);
        }
    }

    private static IEnumerable<string> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            if (e is AggregateException aggregate)
            {
                foreach (var message in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return message;
                }
            }
        }
    }
}
