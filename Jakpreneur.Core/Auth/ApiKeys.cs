using System.Security.Cryptography;
using System.Text;
using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Auth;

public sealed record ApiKeyRecord(
    string Id,
    string Name,
    string Prefix,
    string KeyHash,
    string Role,
    string? Kota,
    string? Sudin,
    string? Kelurahan,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    public Caller ToCaller() => new(Id, Name, Role, Kota, Sudin, Kelurahan);
}

/// <summary>
/// Keys look like <c>jkp_&lt;prefix&gt;_&lt;secret&gt;</c>: a non-secret 12-character prefix that
/// finds the row, and 256 random bits. Only the SHA-256 of the whole key is stored (the key
/// has full entropy, so a slow KDF adds nothing); hashes are compared in constant time.
/// </summary>
public static class ApiKeyFormat
{
    public const string BootstrapId = "bootstrap";

    public static (string Key, string Prefix) Generate()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return ($"jkp_{prefix}_{secret}", prefix);
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The prefix a presented key claims; keys not in the generated form can only be the bootstrap key.</summary>
    public static string PrefixOf(string key)
    {
        var parts = key.Split('_');
        return parts.Length == 3 && parts[0] == "jkp" && parts[1].Length == 12 ? parts[1] : BootstrapId;
    }

    public static bool Matches(string presentedKey, string storedHash)
    {
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        Span<byte> stored = stackalloc byte[32];
        return Convert.FromHexString(storedHash, stored, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32
            && CryptographicOperations.FixedTimeEquals(presented, stored);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '.');
}

public sealed class ApiKeyQueries(Db db, TimeProvider time)
{
    private const string Columns = """
        id AS Id, name AS Name, prefix AS Prefix, key_hash AS KeyHash, role AS Role, kota AS Kota,
        sudin AS Sudin, kelurahan AS Kelurahan, created_at AS CreatedAt, created_by AS CreatedBy,
        expires_at AS ExpiresAt, revoked_at AS RevokedAt
        """;

    /// <summary>The caller for a presented key, or null when it is unknown, revoked or expired.</summary>
    public async Task<Caller?> AuthenticateAsync(string presentedKey, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE prefix = @prefix",
            new { prefix = ApiKeyFormat.PrefixOf(presentedKey) }, cancellationToken: ct));
        if (row is null || !ApiKeyFormat.Matches(presentedKey, row.KeyHash))
        {
            return null;
        }
        if (row.RevokedAt is not null || (row.ExpiresAt is { } expires && expires <= time.GetUtcNow()))
        {
            return null;
        }
        return row.ToCaller();
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys ORDER BY created_at, id", cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Stores a new key and returns it in clear (the only time it exists in clear).</summary>
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(
        string name, string role, string? kota, string? sudin, string? kelurahan, DateTimeOffset? expiresAt,
        Actor actor, CancellationToken ct)
    {
        var (key, prefix) = ApiKeyFormat.Generate();
        var record = new ApiKeyRecord(
            Guid.NewGuid().ToString("N"), name, prefix, ApiKeyFormat.Hash(key), role, kota, sudin, kelurahan,
            time.GetUtcNow(), actor.KeyId, expiresAt, null);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await InsertAsync(connection, tx, record, ct);
        await AuditWriter.WriteAsync(connection, tx, actor, "create", "api-key", record.Id, kota, null, Redacted(record), ct);
        await tx.CommitAsync(ct);
        return (record, key);
    }

    /// <summary>Revokes a key; false when no such (unrevoked) key exists.</summary>
    public async Task<bool> RevokeAsync(string id, Actor actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys {db.Dialect.ForUpdate} WHERE id = @id AND revoked_at IS NULL", new { id }, tx, cancellationToken: ct));
        if (before is null)
        {
            return false;
        }
        var after = before with { RevokedAt = time.GetUtcNow() };
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @RevokedAt WHERE id = @Id", after, tx, cancellationToken: ct));
        await AuditWriter.WriteAsync(connection, tx, actor, "revoke", "api-key", id, before.Kota, Redacted(before), Redacted(after), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Makes sure an admin key exists: the configured bootstrap key (re-hashed if it changed), or,
    /// when none is configured and the table is empty, a generated one that is returned once for the log.
    /// </summary>
    public async Task<string?> EnsureBootstrapAsync(string? configuredKey, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!string.IsNullOrWhiteSpace(configuredKey))
        {
            var hash = ApiKeyFormat.Hash(configuredKey);
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET key_hash = @hash, revoked_at = NULL WHERE id = @id",
                new { hash, id = ApiKeyFormat.BootstrapId }, tx, cancellationToken: ct));
            if (updated == 0)
            {
                await InsertAsync(connection, tx, new ApiKeyRecord(
                    ApiKeyFormat.BootstrapId, "Bootstrap admin (Auth:BootstrapAdminKey)", ApiKeyFormat.BootstrapId, hash,
                    Roles.Admin, null, null, null, time.GetUtcNow(), null, null, null), ct);
            }
            await tx.CommitAsync(ct);
            return null;
        }
        var any = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM api_keys", transaction: tx, cancellationToken: ct));
        if (any > 0)
        {
            return null;
        }
        var (key, prefix) = ApiKeyFormat.Generate();
        await InsertAsync(connection, tx, new ApiKeyRecord(
            Guid.NewGuid().ToString("N"), "First admin (generated at first start)", prefix, ApiKeyFormat.Hash(key),
            Roles.Admin, null, null, null, time.GetUtcNow(), null, null, null), ct);
        await tx.CommitAsync(ct);
        return key;
    }

    private static Task InsertAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, ApiKeyRecord record, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_keys (id, name, prefix, key_hash, role, kota, sudin, kelurahan, created_at, created_by, expires_at, revoked_at)
            VALUES (@Id, @Name, @Prefix, @KeyHash, @Role, @Kota, @Sudin, @Kelurahan, @CreatedAt, @CreatedBy, @ExpiresAt, @RevokedAt)
            """, record, tx, cancellationToken: ct));

    private static object Redacted(ApiKeyRecord r) =>
        new { r.Id, r.Name, r.Prefix, r.Role, r.Kota, r.Sudin, r.Kelurahan, r.ExpiresAt, r.RevokedAt };
}
