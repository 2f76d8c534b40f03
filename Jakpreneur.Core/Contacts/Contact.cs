using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;

namespace Jakpreneur.Core.Contacts;

/// <summary>
/// Who receives reminders and reports for a region: the lurah's office (kelurahan), the camat
/// (kecamatan) or the kota economy office (kota), by email, webhook (WhatsApp/Telegram gateway) or both.
/// </summary>
public sealed record Contact(
    string Region, string Level, string Kota, string? Kecamatan, string Name, string? Email, string? WebhookUrl,
    DateTimeOffset CreatedAt = default, DateTimeOffset UpdatedAt = default);

public sealed class ContactQueries(Db db, TimeProvider time)
{
    internal const string Columns = """
        region AS Region, level AS Level, kota AS Kota, kecamatan AS Kecamatan, name AS Name, email AS Email,
        webhook_url AS WebhookUrl, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    /// <summary>Creates or replaces the contact of a region; returns the stored row and whether it is new.</summary>
    public async Task<(Contact Contact, bool Created)> UpsertAsync(
        Region region, string name, string? email, string? webhookUrl, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleOrDefaultAsync<Contact>(new CommandDefinition(
            $"SELECT {Columns} FROM contacts {db.Dialect.ForUpdate} WHERE region = @Code", new { region.Code }, tx, cancellationToken: ct));
        var stored = new Contact(
            region.Code, region.Level, region.KotaCode!, region.Level == RegionLevel.Kota ? null : region.KecamatanCode,
            name, email, webhookUrl, before?.CreatedAt ?? now, now);
        await connection.ExecuteAsync(new CommandDefinition(
            before is null
                ? """
                  INSERT INTO contacts (region, level, kota, kecamatan, name, email, webhook_url, created_at, updated_at)
                  VALUES (@Region, @Level, @Kota, @Kecamatan, @Name, @Email, @WebhookUrl, @CreatedAt, @UpdatedAt)
                  """
                : """
                  UPDATE contacts SET name = @Name, email = @Email, webhook_url = @WebhookUrl, updated_at = @UpdatedAt
                  WHERE region = @Region
                  """,
            stored, tx, cancellationToken: ct));
        await AuditWriter.WriteAsync(connection, tx, actor, before is null ? "create" : "update", "contact", region.Code, stored.Kota, before, stored, ct);
        await tx.CommitAsync(ct);
        return (stored, before is null);
    }

    /// <summary>Contacts of a region and everything under it (all when null), limited to a kota when scoped.</summary>
    public async Task<IReadOnlyList<Contact>> ListAsync(string? parent, string? scopeKota, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Contact>(new CommandDefinition(
            $"""
             SELECT {Columns} FROM contacts
             WHERE (@parent IS NULL OR region = @parent OR kota = @parent OR kecamatan = @parent)
               AND (@scopeKota IS NULL OR kota = @scopeKota)
             ORDER BY region
             """, new { parent, scopeKota }, cancellationToken: ct));
        return rows.AsList();
    }
}
