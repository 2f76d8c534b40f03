using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jakpreneur.Core.Common;
using Jakpreneur.Tests.Infrastructure;
using Jakpreneur.Tests.Jobs;

namespace Jakpreneur.Tests.Reliability;

/// <summary>
/// Two API processes on one SQLite file, both taking writes and both running the reminder and
/// dispatch work at the same time: the first through its Quartz scheduler, the second (SQLite
/// allows one scheduler per database) running the job bodies directly on trigger.
/// </summary>
public sealed class MultiProcessTests : ProcessTest
{
    private const string Secret = "multi-process-webhook-secret";
    private const int Batches = 20;
    private const int RowsPerBatch = 100;


    [Test]
    public async Task TwoProcessesOnOneDatabaseCountEachEntryAndDeliverEachReminderOnce()
    {
        var database = Database;
        await using var hooks = await WebhookTestServer.StartAsync(Secret);
        var settings = new Dictionary<string, string>
        {
            ["Notifications__WebhookSecret"] = Secret,
            ["Notifications__PublicBaseUrl"] = "https://jakpreneur.example.go.id",
        };
        await using var first = await ApiProcess.StartAsync(database, new Dictionary<string, string>(settings) { ["Jobs__InProcess"] = "true" });
        await using var second = await ApiProcess.StartAsync(database, settings);
        using var a = first.Client();
        using var b = second.Client();

        // A campaign for Kepulauan Seribu (6 kelurahan) due in 7 days (WIB): today is its H-7.
        var due = Wib.Today(TimeProvider.System).AddDays(7);
        (await a.PutAsJsonAsync("/api/v1/periods/MULTI", new { name = "Multi", startDate = "2020-01-01", endDate = "2020-12-31", targetDeadline = "2020-12-15" })).EnsureSuccessStatusCode();
        var campaign = await a.PostAsJsonAsync("/api/v1/sosialisasi/campaigns",
            new { code = "MULTI-SOS", title = "Sosialisasi Jakpreneur", kota = new[] { "31.01" }, dueDate = due.ToString("yyyy-MM-dd") });
        Assert.That(campaign.StatusCode, Is.EqualTo(HttpStatusCode.Created), await campaign.Content.ReadAsStringAsync());
        var kelurahan = new[] { "31.01.01.1001", "31.01.01.1002", "31.01.01.1003", "31.01.02.1001", "31.01.02.1002", "31.01.02.1003" };
        foreach (var code in kelurahan)
        {
            var contact = await b.PutAsJsonAsync($"/api/v1/contacts/{code}", new { name = $"Lurah {code}", webhookUrl = hooks.Url($"kel/{code}") });
            Assert.That((int)contact.StatusCode, Is.AnyOf(200, 201), await contact.Content.ReadAsStringAsync());
        }

        // Every batch goes to both processes at once with the same Idempotency-Key.
        var random = new Random(3);
        var batches = Enumerable.Range(0, Batches).Select(n => Enumerable.Range(0, RowsPerBatch).Select(r => new
        {
            period = "MULTI",
            kelurahan = kelurahan[random.Next(kelurahan.Length)],
            sudin = "KPKP",
            count = 1 + random.Next(5),
            date = "2020-05-01",
            reference = $"m{n}:{r}",
        }).ToArray()).ToArray();
        var writes = batches.SelectMany((rows, n) => new[] { a, b }.Select(async client =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements/batch") { Content = JsonContent.Create(new { entries = rows }) };
            request.Headers.Add("Idempotency-Key", $"multi-{n}");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }));
        // Reminders and dispatch on both processes at the same time, twice each.
        var jobs = new[] { a, b, a, b }.Select(client => client.PostAsync("/api/v1/jobs/deadline-reminders/trigger", null));
        var statuses = await Task.WhenAll(writes);
        var reminderTriggers = await Task.WhenAll(jobs);
        Assert.That(reminderTriggers.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Accepted));
        Assert.That(statuses, Is.All.AnyOf(HttpStatusCode.Created, HttpStatusCode.Conflict));

        await WaitForAsync(async () => await CountAsync("SELECT COUNT(*) FROM notifications WHERE campaign = 'MULTI-SOS'") == kelurahan.Length);
        var dispatch = await Task.WhenAll(new[] { a, b, a, b }.Select(client => client.PostAsync("/api/v1/jobs/notification-dispatch/trigger", null)));
        Assert.That(dispatch.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Accepted));
        await WaitForAsync(async () => await CountAsync("SELECT COUNT(*) FROM notifications WHERE campaign = 'MULTI-SOS' AND status = 'sent'") == kelurahan.Length);
        await Task.Delay(1000); // a second delivery of the same notification would arrive now

        var deliveries = hooks.Deliveries.ToArray();
        var ledgerRows = await CountAsync("SELECT COUNT(*) FROM achievements WHERE period = 'MULTI'");
        var duplicates = await CountAsync("SELECT COUNT(*) FROM (SELECT reference FROM achievements WHERE period = 'MULTI' GROUP BY reference HAVING COUNT(*) > 1)");
        var reminderRows = await CountAsync("SELECT COUNT(*) FROM reminder_log WHERE campaign = 'MULTI-SOS'");
        var rollup = JsonDocument.Parse(await a.GetStringAsync("/api/v1/periods/MULTI/rollup/31.01")).RootElement;

        Assert.That(ledgerRows, Is.EqualTo(Batches * RowsPerBatch));
        Assert.That(duplicates, Is.Zero);
        Assert.That(rollup.GetProperty("walikota").GetProperty("achieved").GetInt64(), Is.EqualTo(batches.Sum(rows => rows.Sum(r => r.count))));
        Assert.That(reminderRows, Is.EqualTo(kelurahan.Length), "each (obligation, stage) queued once");
        Assert.That(deliveries, Has.Length.EqualTo(kelurahan.Length), "each reminder delivered once");
        Assert.That(deliveries.Select(d => d.IdempotencyKey).Distinct().Count(), Is.EqualTo(kelurahan.Length));
        Assert.That(deliveries.Select(d => d.Path).Distinct().Count(), Is.EqualTo(kelurahan.Length));
        Assert.That(deliveries.All(d => d.SignatureValid), Is.True);
    }
}
