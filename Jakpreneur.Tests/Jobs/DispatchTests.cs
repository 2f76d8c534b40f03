using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Notifications;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Jobs;

/// <summary>Delivery to a real SMTP listener and a real HTTP receiver on 127.0.0.1.</summary>
public sealed class DispatchTests(string provider) : ApiTest(provider)
{
    private const string Secret = "test-webhook-secret";
    private SmtpTestServer? _smtp;
    private WebhookTestServer? _webhooks;

    private SmtpTestServer Smtp => _smtp ?? throw new InvalidOperationException("not started");

    private WebhookTestServer Webhooks => _webhooks ?? throw new InvalidOperationException("not started");

    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            _smtp ??= SmtpTestServer.Start();
            return new Dictionary<string, string?>
            {
                ["Smtp:Host"] = "127.0.0.1",
                ["Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
                ["Smtp:From"] = "jakpreneur@example.go.id",
                ["Notifications:WebhookSecret"] = Secret,
                ["Notifications:MaxAttempts"] = "3",
                ["Notifications:BackoffSeconds"] = "60",
                ["Notifications:PublicBaseUrl"] = "https://jakpreneur.example.go.id",
            };
        }
    }

    [OneTimeSetUp]
    public async Task StartReceiversAsync() => _webhooks = await WebhookTestServer.StartAsync(Secret);

    [OneTimeTearDown]
    public async Task StopReceiversAsync()
    {
        if (_webhooks is not null)
        {
            await _webhooks.DisposeAsync();
        }
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }
    }

    [Test]
    public async Task RemindersReachTheSmtpListenerAndTheSignedWebhook()
    {
        var (campaign, kelurahan) = await CampaignDueInSevenDaysAsync("31.72.01.1001");
        var email = $"lurah-{campaign}@example.go.id".ToLowerInvariant();
        await ContactAsync(kelurahan, new { name = "Lurah", email, webhookUrl = Webhooks.Url($"ok-{campaign}") });

        await TriggerAsync("deadline-reminders");
        await TriggerAsync("notification-dispatch");

        var mail = Smtp.Messages.Single(m => m.To.Contains(email));
        Assert.That(mail.From, Is.EqualTo("jakpreneur@example.go.id"));
        Assert.That(mail.Body, Does.Contain("7 hari lagi").And.Contain(campaign)
            .And.Contain($"https://jakpreneur.example.go.id/api/v1/sosialisasi/campaigns/{campaign}/reports"));
        var hook = Webhooks.Deliveries.Single(d => d.Path == $"ok-{campaign}");
        Assert.That(hook.SignatureValid, Is.True, "HMAC-SHA256 of the raw body with Notifications:WebhookSecret");
        Assert.That(hook.IdempotencyKey, Is.Not.Empty);
        var payload = JsonDocument.Parse(hook.Body).RootElement;
        Assert.That(payload.GetProperty("stage").GetString(), Is.EqualTo("H-7"));
        Assert.That(payload.GetProperty("campaign").GetProperty("code").GetString(), Is.EqualTo(campaign));
        var items = await NotificationsAsync(campaign);
        Assert.That(items.Select(i => i.GetProperty("status").GetString()), Is.All.EqualTo("sent"));
        Assert.That(items.Select(i => i.GetProperty("sentAt").ValueKind), Is.All.EqualTo(JsonValueKind.String));
        Assert.That(items.Select(i => i.GetProperty("channel").GetString()), Is.EquivalentTo(new[] { "email", "webhook" }));
    }

    [Test]
    public async Task AReceiverThatFailsTwiceIsRetriedToSuccessWithOneRecordedDelivery()
    {
        var (campaign, kelurahan) = await CampaignDueInSevenDaysAsync("31.72.01.1002");
        var path = $"flaky-{campaign}";
        Webhooks.Failures[path] = 2;
        await ContactAsync(kelurahan, new { name = "Lurah", webhookUrl = Webhooks.Url(path) });
        await TriggerAsync("deadline-reminders");

        await TriggerAsync("notification-dispatch");
        var afterFirst = (await NotificationsAsync(campaign)).Single();
        Time.Advance(TimeSpan.FromSeconds(61));
        await TriggerAsync("notification-dispatch");
        Time.Advance(TimeSpan.FromSeconds(121));
        await TriggerAsync("notification-dispatch");
        Time.Advance(TimeSpan.FromHours(1));
        await TriggerAsync("notification-dispatch");

        var deliveries = Webhooks.Deliveries.Where(d => d.Path == path).ToList();
        Assert.That(afterFirst.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(afterFirst.GetProperty("lastError").GetString(), Does.Contain("500"));
        Assert.That(deliveries.Select(d => d.Status), Is.EqualTo(new[] { 500, 500, 200 }));
        Assert.That(deliveries.Select(d => d.IdempotencyKey).Distinct().Count(), Is.EqualTo(1), "one Idempotency-Key across retries");
        Assert.That(deliveries.Select(d => d.SignatureValid), Is.All.True);
        var final = (await NotificationsAsync(campaign)).Single();
        Assert.That(final.GetProperty("status").GetString(), Is.EqualTo("sent"));
        Assert.That(final.GetProperty("attempts").GetInt32(), Is.EqualTo(3));
        Assert.That(final.GetProperty("lastError").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task AReceiverThatAlwaysFailsEndsDeadAfterMaxAttempts()
    {
        var (campaign, kelurahan) = await CampaignDueInSevenDaysAsync("31.72.01.1003");
        var path = $"down-{campaign}";
        Webhooks.Failures[path] = int.MaxValue;
        await ContactAsync(kelurahan, new { name = "Lurah", webhookUrl = Webhooks.Url(path) });
        await TriggerAsync("deadline-reminders");

        for (var i = 0; i < 5; i++)
        {
            await TriggerAsync("notification-dispatch");
            Time.Advance(TimeSpan.FromHours(1));
        }

        var notification = (await NotificationsAsync(campaign)).Single();
        Assert.That(notification.GetProperty("status").GetString(), Is.EqualTo("dead"));
        Assert.That(notification.GetProperty("attempts").GetInt32(), Is.EqualTo(3));
        Assert.That(Webhooks.Deliveries.Count(d => d.Path == path), Is.EqualTo(3));
        var dead = (await ReadJsonAsync(await Admin.GetAsync($"/api/v1/notifications?campaign={campaign}&status=dead"))).GetProperty("items");
        Assert.That(dead.GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task ADeliveryCutOffByACrashIsRetriedOnceItsLeaseExpires()
    {
        var (campaign, kelurahan) = await CampaignDueInSevenDaysAsync("31.72.01.1004");
        var path = $"crash-{campaign}";
        await ContactAsync(kelurahan, new { name = "Lurah", webhookUrl = Webhooks.Url(path) });
        await TriggerAsync("deadline-reminders");
        var db = App.Services.GetRequiredService<Db>();
        await using (var connection = await db.OpenAsync())
        {
            // A dispatcher claimed it and died before recording the outcome.
            await connection.ExecuteAsync(
                "UPDATE notifications SET lease_owner = 'crashed-worker', lease_until = @until, attempts = 1 WHERE campaign = @campaign",
                new { until = Time.GetUtcNow().AddMinutes(2), campaign });
        }

        await TriggerAsync("notification-dispatch");
        var whileLeased = Webhooks.Deliveries.Count(d => d.Path == path);
        Time.Advance(TimeSpan.FromMinutes(3));
        await TriggerAsync("notification-dispatch");
        Time.Advance(TimeSpan.FromMinutes(3));
        await TriggerAsync("notification-dispatch");

        Assert.That(whileLeased, Is.Zero, "a live lease is respected");
        Assert.That(Webhooks.Deliveries.Count(d => d.Path == path), Is.EqualTo(1));
        var notification = (await NotificationsAsync(campaign)).Single();
        Assert.That(notification.GetProperty("status").GetString(), Is.EqualTo("sent"));
        Assert.That(notification.GetProperty("attempts").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task TwoReminderRunsAndTwoDispatchersAtOnceQueueAndDeliverEachReminderOnce()
    {
        string[] kelurahan = ["31.72.02.1001", "31.72.02.1002", "31.72.02.1003", "31.72.02.1004"];
        var campaign = UniqueCode("RACE");
        var today = Core.Common.Wib.Today(Time);
        await new Sosialisasi(App.Services).CampaignAsync(campaign, today.AddDays(-7), null, kelurahan); // overdue-7 today
        foreach (var k in kelurahan)
        {
            await ContactAsync(k, new { name = $"Lurah {k}", email = $"lurah-{k}-{campaign}@example.go.id".ToLowerInvariant(), webhookUrl = Webhooks.Url($"race-{campaign}-{k}") });
        }
        await ContactAsync("31.72.02", new { name = "Camat", webhookUrl = Webhooks.Url($"race-{campaign}-camat") });
        await ContactAsync("31.72", new { name = "Kota office", email = $"kota-{campaign}@example.go.id".ToLowerInvariant() });

        var reminders = App.Services.GetRequiredService<DeadlineReminderService>();
        var runs = await Task.WhenAll(reminders.RunAsync(CancellationToken.None), reminders.RunAsync(CancellationToken.None));
        var first = ActivatorUtilities.CreateInstance<NotificationDispatcher>(App.Services);
        var second = ActivatorUtilities.CreateInstance<NotificationDispatcher>(App.Services);
        await Task.WhenAll(first.RunAsync(CancellationToken.None), second.RunAsync(CancellationToken.None));

        var items = await NotificationsAsync(campaign);
        var ids = items.Select(i => i.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture)).ToList();
        // 4 lurah × (email + webhook) + camat webhook + kota email.
        Assert.That(items, Has.Count.EqualTo(10));
        Assert.That(runs.Sum(r => r.Notifications), Is.EqualTo(10), "the two runs together queued each digest once");
        Assert.That(items.Select(i => i.GetProperty("status").GetString()), Is.All.EqualTo("sent"));
        var received = Smtp.Messages.Select(m => m.Header("X-Jakpreneur-Notification"))
            .Concat(Webhooks.Deliveries.Select(d => d.NotificationId)).Where(id => id is not null && ids.Contains(id)).ToList();
        Assert.That(received, Is.EquivalentTo(ids), "each notification delivered exactly once");
        var kotaMail = Smtp.Messages.Single(m => m.To.Contains($"kota-{campaign}@example.go.id".ToLowerInvariant()));
        Assert.That(kelurahan.All(k => kotaMail.Body.Contains(k, StringComparison.Ordinal)), Is.True, "one digest lists all four kelurahan");
    }

    private async Task<(string Campaign, string Kelurahan)> CampaignDueInSevenDaysAsync(string kelurahan)
    {
        var campaign = UniqueCode("DSP");
        await new Sosialisasi(App.Services).CampaignAsync(campaign, Core.Common.Wib.Today(Time).AddDays(7), null, kelurahan);
        return (campaign, kelurahan);
    }

    private async Task ContactAsync(string region, object body)
    {
        var response = await Admin.PutAsJsonAsync($"/api/v1/contacts/{region}", body);
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    private async Task TriggerAsync(string job)
    {
        var response = await Admin.PostAsync($"/api/v1/jobs/{job}/trigger", null);
        Assert.That((int)response.StatusCode, Is.EqualTo(202), await response.Content.ReadAsStringAsync());
    }

    private async Task<List<JsonElement>> NotificationsAsync(string campaign) =>
        (await ReadJsonAsync(await Admin.GetAsync($"/api/v1/notifications?campaign={campaign}"))).GetProperty("items").EnumerateArray().ToList();
}
