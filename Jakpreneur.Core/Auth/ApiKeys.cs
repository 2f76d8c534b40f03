using System.Security.Cryptography;
using System.Text;
using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;

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

    public string StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? ApiKeyStatus.Revoked
        : ExpiresAt is { } expires && expires <= now ? ApiKeyStatus.Expired
        : ApiKeyStatus.Active;
}

public static class ApiKeyStatus
{
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
}

public enum RevokeOutcome
{
    NotFound,
    Revoked,
    AlreadyRevoked,
}

/// <summary>What start-up did about the admin key, for the log.</summary>
/// <param name="GeneratedKey">A first admin key made for an empty database without configuration: shown once.</param>
/// <param name="ConfiguredKeyRevoked">The configured key was revoked through the API and stays revoked until it is changed.</param>
/// <param name="BootstrapRevoked">The configuration no longer names a key, so the earlier bootstrap key was revoked.</param>
public sealed record BootstrapOutcome(string? GeneratedKey, bool ConfiguredKeyRevoked, bool BootstrapRevoked);

/// <summary>
/// Keys look like <c>jkp_&lt;prefix&gt;_&lt;secret&gt;</c>: a non-secret 12-character prefix that
/// finds the row, and 256 random bits. Only the SHA-256 of the whole key is stored (the key
/// has full entropy, so a slow KDF adds nothing); hashes are compared in constant time.
/// </summary>
public static class ApiKeyFormat
{
    public const string BootstrapId = "bootstrap";

    /// <summary>A configured bootstrap key shorter than this is refused at start-up (guessable keys such as "admin").</summary>
    public const int MinBootstrapLength = 20;

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

public sealed class ApiKeyQueries(Db db, TimeProvider time, RegionDirectory regions)
{
    private const string Columns = """
        id AS Id, name AS Name, prefix AS Prefix, key_hash AS KeyHash, role AS Role, kota AS Kota,
        sudin AS Sudin, kelurahan AS Kelurahan, created_at AS CreatedAt, created_by AS CreatedBy,
        expires_at AS ExpiresAt, revoked_at AS RevokedAt
        """;

    /// <summary>The caller for a presented key, or null when it is unknown, revoked, expired or malformed.</summary>
    public async Task<Caller?> AuthenticateAsync(string presentedKey, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        // The bootstrap row is always a candidate too, so a configured key that happens to look like
        // a generated one still works; every candidate is compared in constant time.
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE prefix = @prefix OR prefix = @bootstrap",
            new { prefix = ApiKeyFormat.PrefixOf(presentedKey), bootstrap = ApiKeyFormat.BootstrapId }, cancellationToken: ct));
        ApiKeyRecord? match = null;
        foreach (var row in rows)
        {
            if (ApiKeyFormat.Matches(presentedKey, row.KeyHash))
            {
                match = row;
            }
        }
        if (match is null || match.StatusAt(time.GetUtcNow()) != ApiKeyStatus.Active)
        {
            return null;
        }
        var caller = match.ToCaller();
        return caller.HasConsistentScope ? caller : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys ORDER BY created_at, id", cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<ApiKeyRecord?> FindAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// Stores a new key and returns it in clear (the only time it exists in clear). A kelurahan
    /// key's kota is taken from its kelurahan. The scope must fit the role (checked at the boundary
    /// with messages; here as a last guard, because a key without its kota would read everything).
    /// </summary>
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(
        string name, string role, string? kota, string? sudin, string? kelurahan, DateTimeOffset? expiresAt,
        Actor actor, CancellationToken ct)
    {
        if (role == Roles.Kelurahan && regions.Find(kelurahan, RegionLevel.Kelurahan) is { } found)
        {
            kota = found.KotaCode;
        }
        if (!new Caller("", name, role, kota, sudin, kelurahan).HasConsistentScope)
        {
            throw new ArgumentException($"A {role} key cannot have kota '{kota}', sudin '{sudin}', kelurahan '{kelurahan}'.", nameof(role));
        }
        actor = actor.StampedBy(time);
        var (key, prefix) = ApiKeyFormat.Generate();
        var record = new ApiKeyRecord(
            Guid.NewGuid().ToString("N"), name, prefix, ApiKeyFormat.Hash(key), role, kota, sudin, kelurahan,
            actor.At!.Value, actor.KeyId, expiresAt, null);
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await InsertAsync(connection, tx, record, ct);
        await AuditWriter.WriteAsync(connection, tx, actor, "create", "api-key", record.Id, kota, null, Redacted(record), ct);
        await tx.CommitAsync(ct);
        return (record, key);
    }

    /// <summary>Revokes a key at once: the next request carrying it is refused.</summary>
    public async Task<RevokeOutcome> RevokeAsync(string id, Actor actor, CancellationToken ct)
    {
        actor = actor.StampedBy(time);
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys {db.Dialect.ForUpdate} WHERE id = @id", new { id }, tx, cancellationToken: ct));
        if (before is null)
        {
            return RevokeOutcome.NotFound;
        }
        if (before.RevokedAt is not null)
        {
            return RevokeOutcome.AlreadyRevoked;
        }
        var after = before with { RevokedAt = actor.At };
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @RevokedAt WHERE id = @Id", after, tx, cancellationToken: ct));
        await AuditWriter.WriteAsync(connection, tx, actor, "revoke", "api-key", id, before.Kota, Redacted(before), Redacted(after), ct);
        await tx.CommitAsync(ct);
        return RevokeOutcome.Revoked;
    }

    /// <summary>
    /// Makes sure an admin key exists. A configured key is stored (hashed) as the bootstrap key;
    /// changing it rotates the key, and a key revoked through the API stays revoked until the
    /// configuration names a different one. Removing it from the configuration revokes it.
    /// Without configuration and with no key at all, a generated key is returned once for the log.
    /// </summary>
    public async Task<BootstrapOutcome> EnsureBootstrapAsync(string? configuredKey, CancellationToken ct)
    {
        configuredKey = string.IsNullOrWhiteSpace(configuredKey) ? null : configuredKey.Trim();
        if (configuredKey is not null && configuredKey.Length < ApiKeyFormat.MinBootstrapLength)
        {
            throw new InvalidOperationException(
                $"Auth:BootstrapAdminKey is shorter than {ApiKeyFormat.MinBootstrapLength} characters; configure a long random key " +
                "(for example the output of 'openssl rand -base64 32').");
        }
        var actor = Actor.System.StampedBy(time);
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var bootstrap = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys {db.Dialect.ForUpdate} WHERE id = @id", new { id = ApiKeyFormat.BootstrapId }, tx, cancellationToken: ct));
        var outcome = new BootstrapOutcome(null, false, false);
        if (configuredKey is not null)
        {
            var hash = ApiKeyFormat.Hash(configuredKey);
            if (bootstrap is null)
            {
                var record = new ApiKeyRecord(
                    ApiKeyFormat.BootstrapId, "Bootstrap admin (Auth:BootstrapAdminKey)", ApiKeyFormat.BootstrapId, hash,
                    Roles.Admin, null, null, null, actor.At!.Value, actor.KeyId, null, null);
                await InsertAsync(connection, tx, record, ct);
                await AuditWriter.WriteAsync(connection, tx, actor, "create", "api-key", record.Id, null, null, Redacted(record), ct);
            }
            else if (!ApiKeyFormat.Matches(configuredKey, bootstrap.KeyHash))
            {
                var rotated = bootstrap with { KeyHash = hash, RevokedAt = null };
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE api_keys SET key_hash = @KeyHash, revoked_at = NULL WHERE id = @Id", rotated, tx, cancellationToken: ct));
                await AuditWriter.WriteAsync(connection, tx, actor, "rotate", "api-key", bootstrap.Id, null, Redacted(bootstrap), Redacted(rotated), ct);
            }
            else
            {
                outcome = outcome with { ConfiguredKeyRevoked = bootstrap.RevokedAt is not null };
            }
            await tx.CommitAsync(ct);
            return outcome;
        }
        if (bootstrap is { RevokedAt: null })
        {
            var revoked = bootstrap with { RevokedAt = actor.At };
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET revoked_at = @RevokedAt WHERE id = @Id", revoked, tx, cancellationToken: ct));
            await AuditWriter.WriteAsync(connection, tx, actor, "revoke", "api-key", bootstrap.Id, null, Redacted(bootstrap), Redacted(revoked), ct);
            outcome = outcome with { BootstrapRevoked = true };
        }
        var any = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM api_keys", transaction: tx, cancellationToken: ct));
        if (any == 0)
        {
            var (key, prefix) = ApiKeyFormat.Generate();
            var record = new ApiKeyRecord(
                Guid.NewGuid().ToString("N"), "First admin (generated at first start)", prefix, ApiKeyFormat.Hash(key),
                Roles.Admin, null, null, null, actor.At!.Value, actor.KeyId, null, null);
            await InsertAsync(connection, tx, record, ct);
            await AuditWriter.WriteAsync(connection, tx, actor, "create", "api-key", record.Id, null, null, Redacted(record), ct);
            outcome = outcome with { GeneratedKey = key };
        }
        await tx.CommitAsync(ct);
        return outcome;
    }

    private static Task InsertAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, ApiKeyRecord record, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_keys (id, name, prefix, key_hash, role, kota, sudin, kelurahan, created_at, created_by, expires_at, revoked_at)
            VALUES (@Id, @Name, @Prefix, @KeyHash, @Role, @Kota, @Sudin, @Kelurahan, @CreatedAt, @CreatedBy, @ExpiresAt, @RevokedAt)
            """, record, tx, cancellationToken: ct));

    /// <summary>The audit view of a key: never the hash.</summary>
    private static object Redacted(ApiKeyRecord r) =>
        new { r.Id, r.Name, r.Prefix, r.Role, r.Kota, r.Sudin, r.Kelurahan, r.CreatedBy, r.ExpiresAt, r.RevokedAt };
}
