using System.Data.Common;
using Dapper;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Notifications;

public sealed class NotificationOptions
{
    /// <summary>Deliveries tried before a notification is <c>dead</c>.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait after the first failure; doubled after each further failure.</summary>
    public int BackoffSeconds { get; set; } = 60;

    public int MaxBackoffSeconds { get; set; } = 3600;

    /// <summary>How long a dispatcher owns a claimed notification; after that another may retry it.</summary>
    public int LeaseSeconds { get; set; } = 120;

    public int BatchSize { get; set; } = 50;

    /// <summary>HMAC-SHA256 key for the <c>Jakpreneur-Signature</c> header of webhook deliveries.</summary>
    public string? WebhookSecret { get; set; }

    public int WebhookTimeoutSeconds { get; set; } = 15;

    /// <summary>Absolute base of links in messages (e.g. https://jakpreneur.jakarta.go.id); relative links when empty.</summary>
    public string? PublicBaseUrl { get; set; }

    public string Link(string path) => string.IsNullOrWhiteSpace(PublicBaseUrl) ? path : PublicBaseUrl.TrimEnd('/') + path;
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? From { get; set; }
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public bool EnableSsl { get; set; }
    public int TimeoutSeconds { get; set; } = 30;
}

public static class NotificationStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Dead = "dead";

    public static readonly string[] All = [Pending, Sent, Failed, Dead];
}

public static class NotificationChannel
{
    public const string Email = "email";
    public const string Webhook = "webhook";
}

/// <summary>A message to queue in the outbox; <see cref="IdempotencyKey"/> is unique and sent with every delivery attempt.</summary>
public sealed record NotificationDraft(
    string Kind, string? Campaign, string Region, string Kota, string Stage, string Channel, string Recipient,
    string Subject, string Body, string Payload, string IdempotencyKey);

public sealed record Notification(
    long Id, string Kind, string? Campaign, string Region, string Kota, string Stage, string Channel, string Recipient,
    string Subject, string Body, string Payload, string Status, long Attempts, string? LastError,
    DateTimeOffset NextAttemptAt, string? LeaseOwner, DateTimeOffset? LeaseUntil, string IdempotencyKey,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

public sealed record NotificationFilter(string? Campaign, string? Region, string? Status, string? ScopeKota, long? AfterId, int Limit);

public sealed class NotificationQueries(Db db)
{
    internal const string Columns = """
        id AS Id, kind AS Kind, campaign AS Campaign, region AS Region, kota AS Kota, stage AS Stage, channel AS Channel,
        recipient AS Recipient, subject AS Subject, body AS Body, payload AS Payload, status AS Status, attempts AS Attempts,
        last_error AS LastError, next_attempt_at AS NextAttemptAt, lease_owner AS LeaseOwner, lease_until AS LeaseUntil,
        idempotency_key AS IdempotencyKey, created_at AS CreatedAt, sent_at AS SentAt
        """;

    /// <summary>Queues drafts inside the caller's transaction, due at once.</summary>
    public static Task<int> InsertAsync(DbConnection connection, DbTransaction tx, IEnumerable<NotificationDraft> drafts, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO notifications (kind, campaign, region, kota, stage, channel, recipient, subject, body, payload,
                                       status, attempts, next_attempt_at, idempotency_key, created_at)
            VALUES (@Kind, @Campaign, @Region, @Kota, @Stage, @Channel, @Recipient, @Subject, @Body, @Payload,
                    'pending', 0, @Now, @IdempotencyKey, @Now)
            """,
            drafts.Select(d => new
            {
                d.Kind,
                d.Campaign,
                d.Region,
                d.Kota,
                d.Stage,
                d.Channel,
                d.Recipient,
                d.Subject,
                d.Body,
                d.Payload,
                d.IdempotencyKey,
                Now = now,
            }).ToList(),
            tx, cancellationToken: ct));

    /// <summary>Newest first, keyset-paged by id.</summary>
    public async Task<IReadOnlyList<Notification>> ListAsync(NotificationFilter filter, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Notification>(new CommandDefinition(
            $"""
             SELECT {Columns} FROM notifications
             WHERE (@Campaign IS NULL OR campaign = @Campaign)
               AND (@Region IS NULL OR region = @Region)
               AND (@Status IS NULL OR status = @Status)
               AND (@ScopeKota IS NULL OR kota = @ScopeKota)
               AND (@AfterId IS NULL OR id < @AfterId)
             ORDER BY id DESC
             {db.Dialect.Limit("@Limit")}
             """, filter, cancellationToken: ct));
        return rows.AsList();
    }
}
