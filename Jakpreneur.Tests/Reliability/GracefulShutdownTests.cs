using System.Net;
using System.Net.Http.Json;
using Jakpreneur.Core.Common;
using Jakpreneur.Tests.Infrastructure;
using Jakpreneur.Tests.Jobs;

namespace Jakpreneur.Tests.Reliability;

/// <summary>SIGTERM while the scheduler is delivering reminders to a slow gateway: the running job finishes before the process exits, and a restart delivers nothing twice.</summary>
public sealed class GracefulShutdownTests : ProcessTest
{
    private const string Secret = "graceful-webhook-secret";

    [Test]
    public async Task SigtermDuringADeliveryLetsTheRunningJobFinishAndNothingIsDeliveredTwice()
    {
        await using var hooks = await WebhookTestServer.StartAsync(Secret);
        hooks.Delay = TimeSpan.FromSeconds(2);
        var settings = new Dictionary<string, string>
        {
            ["Notifications__WebhookSecret"] = Secret,
            ["Notifications__PublicBaseUrl"] = "https://jakpreneur.example.go.id",
            ["Notifications__LeaseSeconds"] = "5",
        };
        var kelurahan = new[] { "31.01.01.1001", "31.01.01.1002", "31.01.01.1003", "31.01.02.1001", "31.01.02.1002", "31.01.02.1003" };
        var first = await ApiProcess.StartAsync(Database, new Dictionary<string, string>(settings) { ["Jobs__InProcess"] = "true" });
        using (var client = first.Client())
        {
            var due = Wib.Today(TimeProvider.System).AddDays(3);
            (await client.PostAsJsonAsync("/api/v1/sosialisasi/campaigns",
                new { code = "GRACE", title = "Sosialisasi", kota = new[] { "31.01" }, dueDate = due.ToString("yyyy-MM-dd") })).EnsureSuccessStatusCode();
            foreach (var code in kelurahan)
            {
                (await client.PutAsJsonAsync($"/api/v1/contacts/{code}", new { name = $"Lurah {code}", webhookUrl = hooks.Url($"kel/{code}") })).EnsureSuccessStatusCode();
            }
            Assert.That((await client.PostAsync("/api/v1/jobs/deadline-reminders/trigger", null)).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            await WaitForAsync(async () => await CountAsync("SELECT COUNT(*) FROM notifications WHERE campaign = 'GRACE'") == kelurahan.Length);
            Assert.That((await client.PostAsync("/api/v1/jobs/notification-dispatch/trigger", null)).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }
        await WaitForAsync(() => Task.FromResult(hooks.Started >= 1));

        var exited = await first.TerminateAsync(TimeSpan.FromSeconds(60));
        var exitCode = first.ExitCode;
        await first.DisposeAsync();
        var sentAtExit = await CountAsync("SELECT COUNT(*) FROM notifications WHERE campaign = 'GRACE' AND status = 'sent'");
        var answeredAtExit = hooks.Deliveries.Count;

        await using (var second = await ApiProcess.StartAsync(Database, settings))
        {
            using var client = second.Client();
            await WaitForAsync(async () =>
            {
                await client.PostAsync("/api/v1/jobs/notification-dispatch/trigger", null);
                return await CountAsync("SELECT COUNT(*) FROM notifications WHERE campaign = 'GRACE' AND status = 'sent'") == kelurahan.Length;
            });
        }

        TestContext.Out.WriteLine($"at SIGTERM: {hooks.Started} started; at exit: {answeredAtExit} answered, {sentAtExit} recorded sent; after restart: {hooks.Deliveries.Count} deliveries");
        Assert.That(exited, Is.True, "the API exits on SIGTERM");
        Assert.That(exitCode, Is.Zero, "a graceful exit");
        Assert.That(sentAtExit, Is.GreaterThanOrEqualTo(1), "the delivery in flight at SIGTERM finished and was recorded");
        Assert.That(sentAtExit, Is.EqualTo(answeredAtExit), "every delivery the gateway answered before exit is recorded as sent");
        Assert.That(hooks.Deliveries.Select(d => d.IdempotencyKey).Distinct().Count(), Is.EqualTo(kelurahan.Length));
        Assert.That(hooks.Deliveries, Has.Count.EqualTo(kelurahan.Length), "nothing delivered twice");
    }
}
