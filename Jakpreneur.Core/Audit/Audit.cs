using System.Data.Common;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Audit;

/// <summary>Who is writing: the API key's id and the request that carried the write.</summary>
public sealed record Actor(string KeyId, string? RequestId)
{
    public static readonly Actor System = new("system", null);
}

public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string? KeyId,
    string Action,
    string Entity,
    string EntityId,
    string? Kota,
    string? BeforeJson,
    string? AfterJson,
    string? RequestId);

/// <summary>Writes audit rows inside the caller's transaction, so a change and its audit row commit together.</summary>
public static class AuditWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(
        DbConnection connection,
        DbTransaction tx,
        Actor actor,
        string action,
        string entity,
        string entityId,
        string? kota,
        object? before,
        object? after,
        CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_log (at, key_id, action, entity, entity_id, kota, before_json, after_json, request_id)
            VALUES (@At, @KeyId, @Action, @Entity, @EntityId, @Kota, @BeforeJson, @AfterJson, @RequestId)
            """,
            new
            {
                At = Iso.Instant(DateTimeOffset.UtcNow),
                actor.KeyId,
                Action = action,
                Entity = entity,
                EntityId = entityId,
                Kota = kota,
                BeforeJson = before is null ? null : JsonSerializer.Serialize(before, before.GetType(), Json),
                AfterJson = after is null ? null : JsonSerializer.Serialize(after, after.GetType(), Json),
                actor.RequestId,
            },
            tx, cancellationToken: ct));
}
