using System.Net;
using System.Net.Http.Headers;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Jakpreneur.Core.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jakpreneur.Core.Notifications;

public sealed record DispatchResult(int Sent, int Failed, int Dead)
{
    public override string ToString() => $"{Sent} sent, {Failed} failed (will retry), {Dead} dead";
}

/// <summary>
/// The <c>notification-dispatch</c> job body. Claims due notifications one at a time with a
/// conditional UPDATE that sets a lease (owner + until); only the owner may record the outcome,
/// again with a conditional UPDATE. A notification marked <c>sent</c> is never claimed again; one
/// whose dispatcher died mid-delivery becomes claimable when its lease expires, so it is retried,
/// not lost. Failures back off exponentially and end <c>dead</c> after MaxAttempts.
/// </summary>
public sealed class NotificationDispatcher(
    Db db, TimeProvider time, IOptions<NotificationOptions> options, EmailSender email, WebhookSender webhooks,
    ILogger<NotificationDispatcher> logger)
{
    /// <summary>This dispatcher's lease owner id: unique per instance, so two dispatchers in one process do not share leases.</summary>
    public string Owner { get; } = OwnerId();

    private static string OwnerId()
    {
        var id = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return id.Length <= 100 ? id : id[^100..];
    }

    public async Task<DispatchResult> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        int sent = 0, failed = 0, dead = 0;
        for (var batch = 0; batch < 100; batch++)
        {
            var due = await DueIdsAsync(o.BatchSize, ct);
            if (due.Count == 0)
            {
                break;
            }
            foreach (var id in due)
            {
                ct.ThrowIfCancellationRequested();
                if (await ClaimAsync(id, ct) is not { } notification)
                {
                    continue; // another dispatcher got it first
                }
                var outcome = await DeliverAsync(notification, ct);
                switch (outcome)
                {
                    case NotificationStatus.Sent: sent++; break;
                    case NotificationStatus.Dead: dead++; break;
                    case NotificationStatus.Failed: failed++; break;
                }
            }
        }
        return new DispatchResult(sent, failed, dead);
    }

    private async Task<IReadOnlyList<long>> DueIdsAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            $"""
             SELECT id FROM notifications
             WHERE status IN ('pending', 'failed') AND next_attempt_at <= @now
               AND (lease_until IS NULL OR lease_until <= @now)
             ORDER BY next_attempt_at, id
             {db.Dialect.Limit("@batchSize")}
             """, new { now = time.GetUtcNow(), batchSize }, cancellationToken: ct));
        return ids.AsList();
    }

    private async Task<Notification?> ClaimAsync(long id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE notifications SET lease_owner = @Owner, lease_until = @until, attempts = attempts + 1
            WHERE id = @id AND status IN ('pending', 'failed') AND next_attempt_at <= @now
              AND (lease_until IS NULL OR lease_until <= @now)
            """, new { Owner, until = now.AddSeconds(options.Value.LeaseSeconds), id, now }, cancellationToken: ct));
        if (claimed == 0)
        {
            return null;
        }
        return await connection.QuerySingleOrDefaultAsync<Notification>(new CommandDefinition(
            $"SELECT {NotificationQueries.Columns} FROM notifications WHERE id = @id AND lease_owner = @Owner",
            new { id, Owner }, cancellationToken: ct));
    }

    private async Task<string> DeliverAsync(Notification n, CancellationToken ct)
    {
        string? error = null;
        try
        {
            if (n.Channel == NotificationChannel.Email)
            {
                await email.SendAsync(n, ct);
            }
            else
            {
                await webhooks.SendAsync(n, ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message;
            logger.LogWarning("Delivery of notification {Id} over {Channel} failed (attempt {Attempt}): {Error}", n.Id, n.Channel, n.Attempts, error);
        }

        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(CancellationToken.None);
        if (error is null)
        {
            var marked = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE notifications SET status = 'sent', sent_at = @now, last_error = NULL, lease_owner = NULL, lease_until = NULL
                WHERE id = @Id AND lease_owner = @Owner AND status IN ('pending', 'failed')
                """, new { now, n.Id, Owner }));
            if (marked == 0)
            {
                logger.LogWarning("Notification {Id} was delivered after its lease passed to another dispatcher", n.Id);
            }
            return NotificationStatus.Sent;
        }

        var o = options.Value;
        var isDead = n.Attempts >= o.MaxAttempts;
        var backoff = Math.Min(o.MaxBackoffSeconds, o.BackoffSeconds * Math.Pow(2, Math.Max(0, n.Attempts - 1)));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE notifications SET status = @status, last_error = @error, next_attempt_at = @next,
                   lease_owner = NULL, lease_until = NULL
            WHERE id = @Id AND lease_owner = @Owner AND status IN ('pending', 'failed')
            """,
            new
            {
                status = isDead ? NotificationStatus.Dead : NotificationStatus.Failed,
                error = error.Length > 1900 ? error[..1900] : error,
                next = now.AddSeconds(backoff),
                n.Id,
                Owner,
            }));
        return isDead ? NotificationStatus.Dead : NotificationStatus.Failed;
    }
}

/// <summary>Email over SMTP (System.Net.Mail; MailKit is not in the package registry).</summary>
public sealed class EmailSender(IOptions<SmtpOptions> options)
{
    public async Task SendAsync(Notification n, CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Host) || string.IsNullOrWhiteSpace(o.From))
        {
            throw new InvalidOperationException("Smtp:Host and Smtp:From must be configured to send email.");
        }
        using var client = new SmtpClient(o.Host, o.Port)
        {
            EnableSsl = o.EnableSsl,
            Timeout = o.TimeoutSeconds * 1000,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Credentials = string.IsNullOrEmpty(o.UserName) ? null : new NetworkCredential(o.UserName, o.Password),
        };
        using var message = new MailMessage(o.From, n.Recipient)
        {
            Subject = n.Subject,
            Body = n.Body,
            SubjectEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
            BodyTransferEncoding = System.Net.Mime.TransferEncoding.QuotedPrintable,
        };
        message.Headers.Add("Idempotency-Key", n.IdempotencyKey);
        message.Headers.Add("X-Jakpreneur-Notification", n.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await client.SendMailAsync(message, ct);
    }
}

/// <summary>
/// Webhook deliveries (WhatsApp/Telegram gateways): POST of the stored JSON payload, signed with
/// HMAC-SHA256 over the exact bytes sent, with the notification's stable Idempotency-Key.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<NotificationOptions> options)
{
    public const string ClientName = "jakpreneur-webhooks";

    public static string Signature(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task SendAsync(Notification n, CancellationToken ct)
    {
        var secret = options.Value.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            throw new InvalidOperationException("Notifications:WebhookSecret must be configured to sign webhook deliveries.");
        }
        var body = Encoding.UTF8.GetBytes(n.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, n.Recipient) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Jakpreneur-Signature", Signature(body, secret));
        request.Headers.Add("Idempotency-Key", n.IdempotencyKey);
        request.Headers.Add("X-Jakpreneur-Notification", n.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var client = clients.CreateClient(ClientName);
        client.Timeout = TimeSpan.FromSeconds(options.Value.WebhookTimeoutSeconds);
        using var response = await client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Webhook answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
    }
}
