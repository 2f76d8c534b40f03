using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Jakpreneur.Core.Data;

public sealed record Migration(string Id, string Sql, string Checksum);

/// <summary>
/// Applies <c>db/&lt;provider&gt;/NNNN_name.sql</c> (embedded from the repository's db/ folder) in
/// order, each in its own transaction, recorded in <c>schema_migrations</c> with a SHA-256 checksum.
/// A script changed after it was applied stops start-up: the database no longer matches the code.
/// </summary>
public sealed class MigrationRunner(Db db, ILogger<MigrationRunner> logger)
{
    public static IReadOnlyList<Migration> Load(SqlDialect dialect)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"db/{dialect.Name}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n =>
            {
                var sql = ReadResource(assembly, n);
                var id = Path.GetFileNameWithoutExtension(n[prefix.Length..]);
                var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
                return new Migration(id, sql, checksum);
            })
            .ToList();
    }

    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        if (db.Dialect.IsSqlite)
        {
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        }
        await connection.ExecuteAsync(new CommandDefinition(
            db.Dialect.IsSqlite
                ? """
                  CREATE TABLE IF NOT EXISTS schema_migrations (
                      id TEXT NOT NULL PRIMARY KEY,
                      checksum TEXT NOT NULL,
                      applied_at TEXT NOT NULL)
                  """
                : """
                  IF OBJECT_ID(N'schema_migrations', N'U') IS NULL
                  CREATE TABLE schema_migrations (
                      id NVARCHAR(200) NOT NULL PRIMARY KEY,
                      checksum CHAR(64) NOT NULL,
                      applied_at VARCHAR(33) NOT NULL)
                  """,
            cancellationToken: ct));

        var applied = (await connection.QueryAsync<(string Id, string Checksum)>(new CommandDefinition(
                "SELECT id, checksum FROM schema_migrations", cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.Checksum, StringComparer.Ordinal);

        var count = 0;
        foreach (var migration in Load(db.Dialect))
        {
            if (applied.TryGetValue(migration.Id, out var checksum))
            {
                if (!string.Equals(checksum, migration.Checksum, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"Migration db/{db.Dialect.Name}/{migration.Id}.sql was changed after it was applied " +
                        $"(recorded checksum {checksum}, file checksum {migration.Checksum}). " +
                        "Applied migrations are immutable: restore the file and add a new numbered migration instead.");
                }
                continue;
            }

            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (id, checksum, applied_at) VALUES (@Id, @Checksum, @AppliedAt)",
                new { migration.Id, migration.Checksum, AppliedAt = Iso.Instant(DateTimeOffset.UtcNow) },
                transaction: tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            logger.LogInformation("Applied migration {Migration}", migration.Id);
            count++;
        }
        return count;
    }

    internal static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
