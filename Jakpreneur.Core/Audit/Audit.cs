using System.Data.Common;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Audit;

/// <summary>Who is writing: the API key's id and the request that carried the write.</summary>
public sealed record Actor(string KeyId, string? RequestId)
{
    public static readonly Actor System = new("system", null);

    /// <summary>
    /// When the write happens, from the injected clock (so audit times agree with the rows they
    /// describe, also under a test clock); unset means the system clock.
    /// </summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>This actor with its time taken from <paramref name="time"/> unless already set.</summary>
    public Actor StampedBy(TimeProvider time) => At is null ? this with { At = time.GetUtcNow() } : this;
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
                At = Iso.Instant(actor.At ?? DateTimeOffset.UtcNow),
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

/// <summary>
/// Which audit rows to list. <see cref="From"/> is inclusive and <see cref="Before"/> exclusive;
/// <see cref="Kota"/> limits to one kota's rows (a kota key always passes its own).
/// <see cref="AfterId"/> continues a newest-first page below that id.
/// </summary>
public sealed record AuditFilter(
    string? Entity, string? EntityId, string? Kota, DateTimeOffset? From, DateTimeOffset? Before, long? AfterId, int Limit);

public sealed class AuditQueries(Db db)
{
    /// <summary>Newest first; one row more than the limit is read so the caller knows whether a next page exists.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Rows, bool More)> ListAsync(AuditFilter filter, CancellationToken ct)
    {
        // Fixed SQL fragments chosen by which filters are present; every value is a parameter.
        var where = new List<string>();
        if (filter.Entity is not null)
        {
            where.Add("entity = @Entity");
        }
        if (filter.EntityId is not null)
        {
            where.Add("entity_id = @EntityId");
        }
        if (filter.Kota is not null)
        {
            where.Add("kota = @Kota");
        }
        if (filter.From is not null)
        {
            where.Add("at >= @From");
        }
        if (filter.Before is not null)
        {
            where.Add("at < @Before");
        }
        if (filter.AfterId is not null)
        {
            where.Add("id < @AfterId");
        }
        var sql = $"""
            SELECT id AS Id, at AS At, key_id AS KeyId, action AS Action, entity AS Entity, entity_id AS EntityId,
                   kota AS Kota, before_json AS BeforeJson, after_json AS AfterJson, request_id AS RequestId
            FROM audit_log
            {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            ORDER BY id DESC
            {db.Dialect.Limit("@Take")}
            """;
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<AuditEntry>(new CommandDefinition(sql, new
        {
            filter.Entity,
            filter.EntityId,
            filter.Kota,
            From = filter.From is { } from ? Iso.Instant(from) : null,
            Before = filter.Before is { } before ? Iso.Instant(before) : null,
            filter.AfterId,
            Take = filter.Limit + 1,
        }, cancellationToken: ct))).AsList();
        var more = rows.Count > filter.Limit;
        return (more ? rows.GetRange(0, filter.Limit) : rows, more);
    }
}
