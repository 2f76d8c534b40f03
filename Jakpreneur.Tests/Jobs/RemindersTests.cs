using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Notifications;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Jobs;

public sealed class RemindersTests(string provider) : ApiTest(provider)
{
    // Jakarta Barat: Cengkareng (two kelurahan) and Grogol Petamburan (one).
    private const string Kota = "31.73";
    private const string Cengkareng = "31.73.01";
    private const string CengkarengBarat = "31.73.01.1001";
    private const string DuriKosambi = "31.73.01.1002";
    private const string Grogol = "31.73.02.1001";

    [Test]
    public void StagesAreHMinus7_3_1_HThenOverdue1AndWeekly()
    {
        var due = new DateOnly(2021, 3, 20);
        var stages = Enumerable.Range(-10, 40).Select(d => (d, ReminderStage.For(due, due.AddDays(d)))).Where(x => x.Item2 is not null).ToList();

        Assert.That(stages, Is.EqualTo(new (int, string?)[]
        {
            (-7, "H-7"), (-3, "H-3"), (-1, "H-1"), (0, "H"), (1, "overdue-1"), (7, "overdue-7"), (14, "overdue-14"), (21, "overdue-21"), (28, "overdue-28"),
        }));
    }

    [Test]
    public async Task WalkFromHMinus8ToOverdue8QueuesEachStageOnceAsDigests()
    {
        var campaign = UniqueCode("WALK");
        var start = Wib(Time.GetUtcNow()).AddDays(1);
        var due = start.AddDays(8);
        await new Sosialisasi(App.Services).CampaignAsync(campaign, due, null, CengkarengBarat, DuriKosambi, Grogol);
        await PutContactAsync(CengkarengBarat, new { name = "Lurah Cengkareng Barat", email = "lurah.cengkarengbarat@example.go.id" });
        await PutContactAsync(DuriKosambi, new { name = "Lurah Duri Kosambi", webhookUrl = "https://wa-gateway.example.org/hook" });
        await PutContactAsync(Cengkareng, new { name = "Camat Cengkareng", email = "camat.cengkareng@example.go.id" });
        await PutContactAsync(Kota, new { name = "Sudin PPKUKM Jakarta Barat", email = "ekonomi.jakbar@example.go.id" });

        for (var day = start; day <= due.AddDays(8); day = day.AddDays(1))
        {
            foreach (var hour in new[] { 8, 15 })
            {
                Time.SetWib(day.Year, day.Month, day.Day, hour);
                var trigger = await Admin.PostAsync("/api/v1/jobs/deadline-reminders/trigger", null);
                Assert.That(trigger.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await trigger.Content.ReadAsStringAsync());
            }
            if (day == due.AddDays(-1))
            {
                // Duri Kosambi reports on H-1 after the morning reminder: no reminders for it afterwards.
                Time.SetWib(day.Year, day.Month, day.Day, 16);
                await new Sosialisasi(App.Services).ReportAsync(campaign, DuriKosambi, "instagram", "https://instagram.com/p/1", Time.GetUtcNow());
            }
        }

        var items = (await ReadJsonAsync(await Admin.GetAsync($"/api/v1/notifications?campaign={campaign}&limit=1000")))
            .GetProperty("items").EnumerateArray().ToList();
        var queued = items.Select(n => $"{n.GetProperty("stage").GetString()} {n.GetProperty("region").GetString()} {n.GetProperty("channel").GetString()}")
            .OrderBy(s => s, StringComparer.Ordinal).ToList();
        var expected = new List<string>();
        foreach (var stage in new[] { "H-7", "H-3", "H-1", "H", "overdue-1", "overdue-7" })
        {
            expected.Add($"{stage} {CengkarengBarat} email");
            if (stage is "H-7" or "H-3" or "H-1")
            {
                expected.Add($"{stage} {DuriKosambi} webhook");
            }
            if (stage.StartsWith("overdue", StringComparison.Ordinal))
            {
                expected.Add($"{stage} {Cengkareng} email"); // the camat: Cengkareng Barat only (Duri Kosambi reported)
                expected.Add($"{stage} {Kota} email");       // the kota office: Cengkareng Barat and Grogol
            }
        }
        Assert.That(queued, Is.EqualTo(expected.OrderBy(s => s, StringComparer.Ordinal).ToList()));

        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        var logged = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reminder_log WHERE campaign = @campaign", new { campaign });
        Assert.That(logged, Is.EqualTo(3 + 3 + 3 + 2 + 2 + 2), "each pending kelurahan once per stage");

        var kotaDigest = await connection.QuerySingleAsync<(string Subject, string Body, string Payload)>(
            "SELECT subject, body, payload FROM notifications WHERE campaign = @campaign AND region = @Kota AND stage = 'overdue-7'", new { campaign, Kota });
        Assert.That(kotaDigest.Body, Does.Contain(CengkarengBarat).And.Contain(Grogol).And.Not.Contain(DuriKosambi));
        Assert.That(kotaDigest.Body, Does.Contain("sudah terlambat 7 hari").And.Contain(campaign)
            .And.Contain($"/api/v1/sosialisasi/campaigns/{campaign}/reports").And.Contain("Kampanye: Sosialisasi Jakpreneur"));
        var payload = JsonDocument.Parse(kotaDigest.Payload).RootElement;
        Assert.That(payload.GetProperty("daysLeft").GetInt32(), Is.EqualTo(-7));
        Assert.That(payload.GetProperty("kelurahan").GetArrayLength(), Is.EqualTo(2));

        var lurahH3 = await connection.QuerySingleAsync<string>(
            "SELECT body FROM notifications WHERE campaign = @campaign AND region = @CengkarengBarat AND stage = 'H-3'", new { campaign, CengkarengBarat });
        Assert.That(lurahH3, Does.Contain("3 hari lagi").And.Contain("Cengkareng Barat").And.Contain(Core.Notifications.DeadlineReminderService.IndonesianDate(due)));
    }

    [Test]
    public async Task MovingTheDueDateLaterRemindsAgainForTheNewDate()
    {
        var campaign = UniqueCode("MOVE");
        var today = Wib(Time.GetUtcNow());
        await new Sosialisasi(App.Services).CampaignAsync(campaign, today.AddDays(3), null, Grogol);
        var reminders = App.Services.GetRequiredService<DeadlineReminderService>();

        await reminders.RunAsync(CancellationToken.None);
        await using (var connection = await App.Services.GetRequiredService<Db>().OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE sosialisasi_campaigns SET due_date = @due WHERE code = @campaign",
                new { campaign, due = Iso.Date(today.AddDays(7)) });
        }
        await reminders.RunAsync(CancellationToken.None);
        await reminders.RunAsync(CancellationToken.None);

        await using var check = await App.Services.GetRequiredService<Db>().OpenAsync();
        var stages = (await check.QueryAsync<(string DueDate, string Stage)>(
            "SELECT due_date, stage FROM reminder_log WHERE campaign = @campaign ORDER BY due_date, stage", new { campaign }))
            .Select(r => $"{r.DueDate} {r.Stage}").ToList();
        Assert.That(stages, Is.EqualTo(new[] { $"{Iso.Date(today.AddDays(3))} H-3", $"{Iso.Date(today.AddDays(7))} H-7" }));
    }

    [Test]
    public async Task JobsWithoutAnInProcessSchedulerAnswerFromConfiguration()
    {
        Time.SetWib(2030, 6, 1, 10);

        var jobs = (await ReadJsonAsync(await Admin.GetAsync("/api/v1/jobs"))).EnumerateArray().ToDictionary(j => j.GetProperty("name").GetString()!);

        Assert.That(jobs.Keys, Is.EquivalentTo(new[] { "deadline-reminders", "notification-dispatch", "sosialisasi-reports" }));
        Assert.That(jobs["deadline-reminders"].GetProperty("schedule").GetString(), Is.EqualTo("0 0 8 * * ?"));
        Assert.That(jobs["deadline-reminders"].GetProperty("timeZone").GetString(), Is.EqualTo("Asia/Jakarta"));
        Assert.That(jobs["deadline-reminders"].GetProperty("nextRunAt").GetDateTimeOffset(), Is.EqualTo(new DateTimeOffset(2030, 6, 2, 8, 0, 0, TimeSpan.FromHours(7))));
        Assert.That(jobs["sosialisasi-reports"].GetProperty("nextRunAt").GetDateTimeOffset(), Is.EqualTo(new DateTimeOffset(2030, 6, 2, 7, 0, 0, TimeSpan.FromHours(7))));
        Assert.That(jobs["notification-dispatch"].GetProperty("nextRunAt").GetDateTimeOffset(), Is.EqualTo(new DateTimeOffset(2030, 6, 1, 10, 1, 0, TimeSpan.FromHours(7))));
    }

    [Test]
    public async Task TriggerRunsTheBodyAndRecordsTheResult()
    {
        var response = await Admin.PostAsync("/api/v1/jobs/notification-dispatch/trigger", null);
        var jobs = (await ReadJsonAsync(await Admin.GetAsync("/api/v1/jobs"))).EnumerateArray().ToDictionary(j => j.GetProperty("name").GetString()!);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(jobs["notification-dispatch"].GetProperty("lastResult").GetString(), Does.StartWith("ok:"));
        Assert.That(jobs["notification-dispatch"].GetProperty("lastRunAt").ValueKind, Is.EqualTo(JsonValueKind.String));
    }

    [Test]
    public async Task UnknownJobIs404AndJobsAreAdminOnly()
    {
        using var kota = await ClientForAsync("kota", kota: Kota);

        var problem = await AssertProblemAsync(await Admin.PostAsync("/api/v1/jobs/no-such-job/trigger", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await kota.GetAsync("/api/v1/jobs"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await kota.PostAsync("/api/v1/jobs/deadline-reminders/trigger", null), HttpStatusCode.Forbidden);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("no-such-job"));
    }

    [Test]
    public async Task NotificationFiltersAreValidated()
    {
        var errors = await AssertValidationProblemAsync(await Admin.GetAsync("/api/v1/notifications?status=lost"));
        Assert.That(errors.Keys, Does.Contain("status"));
        errors = await AssertValidationProblemAsync(await Admin.GetAsync("/api/v1/notifications?region=99.99"));
        Assert.That(errors.Keys, Does.Contain("region"));
    }

    private async Task PutContactAsync(string region, object body)
    {
        var response = await Admin.PutAsJsonAsync($"/api/v1/contacts/{region}", body);
        Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.Created, HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static DateOnly Wib(DateTimeOffset instant) => Core.Common.Wib.DateOf(instant);
}
