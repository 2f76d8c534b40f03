using System.Data.Common;
using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Targets;

/// <summary>The number of new entrepreneurs a sudin owes a kota in a period.</summary>
public sealed record SudinTarget(
    string Period, string Kota, string Sudin, long Target, long Version, DateTimeOffset UpdatedAt, string? UpdatedBy);

/// <summary>The total a walikota office announced, reconciled against the sum of its sudin targets.</summary>
public sealed record DeclaredTotal(
    string Period, string Kota, long Total, string Source, long Version, DateTimeOffset UpdatedAt, string? UpdatedBy);

public enum WriteOutcome
{
    Created,
    Updated,
    PreconditionFailed,
}

/// <summary>Strong entity tags built from a row's version counter (<c>"3"</c>).</summary>
public static class EntityTags
{
    public static string ForVersion(long version) => $"\"{version}\"";

    /// <summary>
    /// RFC 9110 If-Match: true when the header is absent, or lists <c>*</c> and the row exists, or
    /// lists the current tag (strong comparison: weak tags never match).
    /// </summary>
    public static bool IfMatch(string? header, long? currentVersion)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }
        if (currentVersion is null)
        {
            return false;
        }
        var current = ForVersion(currentVersion.Value);
        return header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(tag => tag == "*" || tag == current);
    }
}

public sealed class TargetQueries(Db db, TimeProvider time)
{
    private const string TargetColumns = """
        period AS Period, kota AS Kota, sudin AS Sudin, target AS Target, version AS Version,
        updated_at AS UpdatedAt, updated_by AS UpdatedBy
        """;

    private const string DeclaredColumns = """
        period AS Period, kota AS Kota, total AS Total, source AS Source, version AS Version,
        updated_at AS UpdatedAt, updated_by AS UpdatedBy
        """;

    public async Task<SudinTarget?> FindAsync(string period, string kota, string sudin, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SudinTarget>(new CommandDefinition(
            $"SELECT {TargetColumns} FROM targets WHERE period = @period AND kota = @kota AND sudin = @sudin",
            new { period, kota, sudin }, cancellationToken: ct));
    }

    /// <summary>Targets of a period, of one kota or (kota null) of all.</summary>
    public async Task<IReadOnlyList<SudinTarget>> ListAsync(string period, string? kota, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<SudinTarget>(new CommandDefinition(
            $"""
             SELECT {TargetColumns} FROM targets
             WHERE period = @period AND (@kota IS NULL OR kota = @kota)
             ORDER BY kota, sudin
             """,
            new { period, kota }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Sets a target; <paramref name="ifMatch"/> (the If-Match header) guards against lost updates.</summary>
    public async Task<(SudinTarget? Target, WriteOutcome Outcome)> UpsertAsync(
        string period, string kota, string sudin, long target, string? ifMatch, Actor actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleOrDefaultAsync<SudinTarget>(new CommandDefinition(
            $"SELECT {TargetColumns} FROM targets {db.Dialect.ForUpdate} WHERE period = @period AND kota = @kota AND sudin = @sudin",
            new { period, kota, sudin }, tx, cancellationToken: ct));
        if (!EntityTags.IfMatch(ifMatch, before?.Version))
        {
            return (before, WriteOutcome.PreconditionFailed);
        }
        var after = new SudinTarget(period, kota, sudin, target, (before?.Version ?? 0) + 1, time.GetUtcNow(), actor.KeyId);
        await connection.ExecuteAsync(new CommandDefinition(
            before is null
                ? """
                  INSERT INTO targets (period, kota, sudin, target, version, updated_at, updated_by)
                  VALUES (@Period, @Kota, @Sudin, @Target, @Version, @UpdatedAt, @UpdatedBy)
                  """
                : """
                  UPDATE targets SET target = @Target, version = @Version, updated_at = @UpdatedAt, updated_by = @UpdatedBy
                  WHERE period = @Period AND kota = @Kota AND sudin = @Sudin
                  """,
            after, tx, cancellationToken: ct));
        await AuditWriter.WriteAsync(connection, tx, actor, before is null ? "create" : "update", "target",
            $"{period}/{kota}/{sudin}", kota, before, after, ct);
        await tx.CommitAsync(ct);
        return (after, before is null ? WriteOutcome.Created : WriteOutcome.Updated);
    }

    public async Task<DeclaredTotal?> FindDeclaredAsync(string period, string kota, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await FindDeclaredAsync(connection, null, period, kota, ct);
    }

    public async Task<(DeclaredTotal? Total, WriteOutcome Outcome)> UpsertDeclaredAsync(
        string period, string kota, long total, string source, string? ifMatch, Actor actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await FindDeclaredAsync(connection, tx, period, kota, ct);
        if (!EntityTags.IfMatch(ifMatch, before?.Version))
        {
            return (before, WriteOutcome.PreconditionFailed);
        }
        var after = new DeclaredTotal(period, kota, total, source, (before?.Version ?? 0) + 1, time.GetUtcNow(), actor.KeyId);
        await connection.ExecuteAsync(new CommandDefinition(
            before is null
                ? """
                  INSERT INTO declared_totals (period, kota, total, source, version, updated_at, updated_by)
                  VALUES (@Period, @Kota, @Total, @Source, @Version, @UpdatedAt, @UpdatedBy)
                  """
                : """
                  UPDATE declared_totals SET total = @Total, source = @Source, version = @Version,
                         updated_at = @UpdatedAt, updated_by = @UpdatedBy
                  WHERE period = @Period AND kota = @Kota
                  """,
            after, tx, cancellationToken: ct));
        await AuditWriter.WriteAsync(connection, tx, actor, before is null ? "create" : "update", "declared-total",
            $"{period}/{kota}", kota, before, after, ct);
        await tx.CommitAsync(ct);
        return (after, before is null ? WriteOutcome.Created : WriteOutcome.Updated);
    }

    private Task<DeclaredTotal?> FindDeclaredAsync(DbConnection connection, DbTransaction? tx, string period, string kota, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<DeclaredTotal>(new CommandDefinition(
            $"SELECT {DeclaredColumns} FROM declared_totals {(tx is null ? "" : db.Dialect.ForUpdate)} WHERE period = @period AND kota = @kota",
            new { period, kota }, tx, cancellationToken: ct));
}
