using System.Data;
using System.Data.Common;
using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Data;
using Microsoft.Data.Sqlite;

namespace Jakpreneur.Core.Achievements;

/// <summary>An entry to append, with kota and kecamatan already derived from the kelurahan.</summary>
public sealed record NewAchievement(
    string Period, string Kota, string Kecamatan, string Kelurahan, string Sudin, long Count, DateOnly Date,
    string? Reference, string? Note);

/// <summary>A ledger row. Reversals carry a negative count and the id they cancel.</summary>
public sealed record Achievement(
    long Id, string Period, string Kota, string Kecamatan, string Kelurahan, string Sudin, long Count, DateOnly Date,
    string? Reference, string? Note, DateTimeOffset RecordedAt, string? KeyId, long? ReversesId);

public sealed record AchievementFilter(
    string? Period, string? Kota, string? Kecamatan, string? Kelurahan, string? Sudin, DateOnly? From, DateOnly? To);

/// <summary>The limits the contract sets on one entry and one batch.</summary>
public static class LedgerLimits
{
    public const long MinCount = 1;
    public const long MaxCount = 100_000;
    public const int MaxBatch = 5000;
    public const int MaxReference = 100;
    public const int MaxNote = 1000;
    public const int MaxPage = 1000;
    public const int DefaultPage = 100;
}

public enum ReversalOutcome
{
    Reversed,
    NotFound,
    Forbidden,
    IsReversal,
    AlreadyReversed,
}

/// <summary>
/// The append-only achievements ledger. Every write updates the running totals
/// (<c>achievement_totals</c>) in the same transaction, so roll-ups read aggregates bounded by
/// kelurahan x sudin and are never stale. The daily figures (<c>achievement_daily</c>), which a
/// roll-up as of a past date subtracts, are written in the same transaction on SQL Server and
/// folded in the background on SQLite (<see cref="DailyAggregateFolder"/>).
/// </summary>
public sealed class AchievementLedger(Db db, TimeProvider time)
{
    private const string Columns = """
        id AS Id, period AS Period, kota AS Kota, kecamatan AS Kecamatan, kelurahan AS Kelurahan, sudin AS Sudin,
        count AS Count, date AS Date, reference AS Reference, note AS Note, recorded_at AS RecordedAt,
        key_id AS KeyId, reverses_id AS ReversesId
        """;

    private const string InsertSql = """
        INSERT INTO achievements (period, kota, kecamatan, kelurahan, sudin, count, date, reference, note, recorded_at, key_id, reverses_id)
        {0} VALUES (@period, @kota, @kecamatan, @kelurahan, @sudin, @count, @date, @reference, @note, @recorded_at, @key_id, @reverses_id) {1}
        """;

    public async Task<Achievement?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Achievement>(new CommandDefinition(
            $"SELECT {Columns} FROM achievements WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Keyset page ordered by id: entries with id greater than <paramref name="afterId"/>.</summary>
    public async Task<IReadOnlyList<Achievement>> ListAsync(AchievementFilter filter, long afterId, int limit, CancellationToken ct)
    {
        // Only fixed fragments are concatenated; every value is a parameter.
        var where = new List<string> { "id > @afterId" };
        if (filter.Period is not null) where.Add("period = @Period");
        if (filter.Kota is not null) where.Add("kota = @Kota");
        if (filter.Kecamatan is not null) where.Add("kecamatan = @Kecamatan");
        if (filter.Kelurahan is not null) where.Add("kelurahan = @Kelurahan");
        if (filter.Sudin is not null) where.Add("sudin = @Sudin");
        if (filter.From is not null) where.Add("date >= @From");
        if (filter.To is not null) where.Add("date <= @To");
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Achievement>(new CommandDefinition(
            $"SELECT {Columns} FROM achievements WHERE {string.Join(" AND ", where)} ORDER BY id {db.Dialect.Limit("@limit")}",
            new { filter.Period, filter.Kota, filter.Kecamatan, filter.Kelurahan, filter.Sudin, filter.From, filter.To, afterId, limit },
            cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Appends one entry; <paramref name="respond"/> builds the response stored for idempotent replays.</summary>
    public Task<IdempotentResult> PostAsync(
        NewAchievement entry, Actor actor, IdempotencyRequest? idempotency, Func<Achievement, StoredResponse> respond, CancellationToken ct) =>
        RunIdempotentAsync(idempotency, async (connection, tx) =>
        {
            var recorded = await InsertOneAsync(connection, tx, entry, actor.KeyId, null, ct);
            await AddToAggregatesAsync(connection, tx, [recorded], ct);
            await AuditWriter.WriteAsync(connection, tx, actor, "create", "achievement", recorded.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                recorded.Kota, null, recorded, ct);
            return respond(recorded);
        }, ct);

    /// <summary>
    /// Appends a validated batch in one transaction: the ledger rows, then the batch's sums added
    /// to the daily and running-total aggregates, then the audit row.
    /// </summary>
    public Task<IdempotentResult> PostBatchAsync(
        IReadOnlyList<NewAchievement> entries, Actor actor, IdempotencyRequest idempotency, Func<int, StoredResponse> respond, CancellationToken ct) =>
        RunIdempotentAsync(idempotency, async (connection, tx) =>
        {
            var recordedAt = Iso.Instant(time.GetUtcNow());
            // The write lock is held (BEGIN IMMEDIATE on SQLite), so this batch's ids all follow this one.
            var lastIdBefore = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COALESCE(MAX(id), 0) FROM achievements", transaction: tx, cancellationToken: ct));
            await InsertBatchAsync(connection, tx, entries, recordedAt, actor.KeyId, ct);
            await AddBatchToAggregatesAsync(connection, tx, entries, lastIdBefore, ct);
            var kotas = entries.Select(e => e.Kota).Distinct().ToList();
            await AuditWriter.WriteAsync(connection, tx, actor, "create", "achievement-batch", idempotency.Key,
                kotas.Count == 1 ? kotas[0] : null, null,
                new { idempotencyKey = idempotency.Key, entries = entries.Count, count = entries.Sum(e => e.Count), kota = kotas }, ct);
            return respond(entries.Count);
        }, ct);

    /// <summary>
    /// Cancels an entry with a new one of the negative count, dated like the original so the
    /// cancellation holds for every asOf (a roll-up as of any date sees both or neither).
    /// </summary>
    public async Task<(ReversalOutcome Outcome, Achievement? Entry)> ReverseAsync(long id, string reason, Caller caller, Actor actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var original = await connection.QuerySingleOrDefaultAsync<Achievement>(new CommandDefinition(
            $"SELECT {Columns} FROM achievements {db.Dialect.ForUpdate} WHERE id = @id", new { id }, tx, cancellationToken: ct));
        if (original is null || !caller.CanRead(original.Kota))
        {
            return (ReversalOutcome.NotFound, null);
        }
        if (!caller.CanReverse(original.Kota, original.Sudin))
        {
            return (ReversalOutcome.Forbidden, original);
        }
        if (original.ReversesId is not null)
        {
            return (ReversalOutcome.IsReversal, original);
        }
        Achievement reversal;
        try
        {
            reversal = await InsertOneAsync(connection, tx,
                new NewAchievement(original.Period, original.Kota, original.Kecamatan, original.Kelurahan, original.Sudin,
                    -original.Count, original.Date, original.Reference, reason),
                actor.KeyId, original.Id, ct);
        }
        catch (DbException e) when (SqlDialect.IsUniqueViolation(e))
        {
            return (ReversalOutcome.AlreadyReversed, original);
        }
        await AddToAggregatesAsync(connection, tx, [reversal], ct);
        await AuditWriter.WriteAsync(connection, tx, actor, "reverse", "achievement", original.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            original.Kota, original, reversal, ct);
        await tx.CommitAsync(ct);
        return (ReversalOutcome.Reversed, reversal);
    }

    public async Task<StoredIdempotency?> FindIdempotencyAsync(string keyId, string key, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await FindIdempotencyAsync(connection, keyId, key, ct);
    }

    private static readonly Column[] InsertColumns =
    [
        new("period", DbType.AnsiString, 32), new("kota", DbType.AnsiString, 20), new("kecamatan", DbType.AnsiString, 20),
        new("kelurahan", DbType.AnsiString, 20), new("sudin", DbType.AnsiString, 20), new("count", DbType.Int64, 0),
        new("date", DbType.AnsiString, 10), new("reference", DbType.String, LedgerLimits.MaxReference),
        new("note", DbType.String, LedgerLimits.MaxNote), new("recorded_at", DbType.AnsiString, 33),
        new("key_id", DbType.AnsiString, 40), new("reverses_id", DbType.Int64, 0),
    ];

    /// <summary>Rows one SQL Server ledger INSERT carries: 1,200 parameters, under its limit of 2,100.</summary>
    private const int SqlServerRowsPerInsert = 100;

    /// <summary>
    /// SQLite: 100-row INSERTs whose values are bound by position into the native statement
    /// (<see cref="SqliteRowWriter"/>), the cheapest way found to move a batch into SQLite.
    /// SQL Server: prepared 100-row INSERTs. Either way the rows get ids in batch order.
    /// </summary>
    private async Task InsertBatchAsync(
        DbConnection connection, DbTransaction tx, IReadOnlyList<NewAchievement> entries, string recordedAt, string keyId, CancellationToken ct)
    {
        if (connection is SqliteConnection sqlite)
        {
            using var writer = new SqliteRowWriter(sqlite, SqliteInsertRows, SqliteInsertColumns);
            writer.Write(entries.Count, (i, row) =>
            {
                var e = entries[i];
                row.Text(0, e.Period); row.Text(1, e.Kota); row.Text(2, e.Kecamatan); row.Text(3, e.Kelurahan); row.Text(4, e.Sudin);
                row.Int64(5, e.Count); row.Text(6, Iso.Date(e.Date)); row.Text(7, e.Reference); row.Text(8, e.Note);
                row.Text(9, recordedAt); row.Text(10, keyId);
            }, ct);
            return;
        }
        await ChunkedCommand.ExecuteAsync(connection, tx, db.Dialect, n => SqlDialect.InsertRows("achievements", InsertColumns.Select(c => c.Name).ToArray(), n),
            InsertColumns, SqlServerRowsPerInsert, entries.Count,
            (i, values) =>
            {
                var e = entries[i];
                values[0] = e.Period; values[1] = e.Kota; values[2] = e.Kecamatan; values[3] = e.Kelurahan; values[4] = e.Sudin;
                values[5] = e.Count; values[6] = Iso.Date(e.Date); values[7] = e.Reference; values[8] = e.Note;
                values[9] = recordedAt; values[10] = keyId; values[11] = null;
            }, ct);
    }

    private const int SqliteInsertColumns = 11;

    private static string SqliteInsertRows(int rows) =>
        "INSERT INTO achievements (period, kota, kecamatan, kelurahan, sudin, count, date, reference, note, recorded_at, key_id, reverses_id) VALUES "
        + string.Join(", ", Enumerable.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", rows));

    private async Task<Achievement> InsertOneAsync(
        DbConnection connection, DbTransaction tx, NewAchievement e, string keyId, long? reversesId, CancellationToken ct)
    {
        var recordedAt = time.GetUtcNow();
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            string.Format(InsertSql, db.Dialect.OutputId, db.Dialect.ReturningId),
            new
            {
                period = e.Period,
                kota = e.Kota,
                kecamatan = e.Kecamatan,
                kelurahan = e.Kelurahan,
                sudin = e.Sudin,
                count = e.Count,
                date = e.Date,
                reference = e.Reference,
                note = e.Note,
                recorded_at = recordedAt,
                key_id = keyId,
                reverses_id = reversesId,
            },
            tx, cancellationToken: ct));
        return new Achievement(id, e.Period, e.Kota, e.Kecamatan, e.Kelurahan, e.Sudin, e.Count, e.Date, e.Reference, e.Note,
            recordedAt, keyId, reversesId);
    }

    private static readonly string[] TotalsKeys = ["period", "kelurahan", "sudin"];
    private static readonly string[] DailyKeys = ["period", "kelurahan", "sudin", "date"];
    private static readonly string[] RegionColumns = ["kota", "kecamatan"];

    private static readonly Column[] TotalsColumns =
    [
        new("period", DbType.AnsiString, 32), new("kelurahan", DbType.AnsiString, 20), new("sudin", DbType.AnsiString, 20),
        new("kota", DbType.AnsiString, 20), new("kecamatan", DbType.AnsiString, 20), new("achieved", DbType.Int64, 0),
    ];

    private static readonly Column[] DailyColumns =
    [
        new("period", DbType.AnsiString, 32), new("kelurahan", DbType.AnsiString, 20), new("sudin", DbType.AnsiString, 20),
        new("date", DbType.AnsiString, 10), new("kota", DbType.AnsiString, 20), new("kecamatan", DbType.AnsiString, 20),
        new("achieved", DbType.Int64, 0),
    ];

    /// <summary>
    /// On SQLite, achievement_daily is left to <see cref="DailyAggregateFolder"/>: one daily row per
    /// kelurahan, sudin and date means a 5,000-row batch spread over a year dirties thousands of
    /// scattered pages, which costs far more than the ledger rows themselves. Folding them later,
    /// tens of thousands of rows at a time, writes each page once per fold. SQL Server writes them
    /// here: its identity values are not committed in order, so a fold could not mark its progress.
    /// </summary>
    private bool FoldsDailyInBackground => db.Dialect.IsSqlite;

    /// <summary>
    /// SQLite sums the batch's own ledger rows (an id range just written) into the running totals
    /// in one set-based statement; SQL Server upserts per group.
    /// </summary>
    private async Task AddBatchToAggregatesAsync(
        DbConnection connection, DbTransaction tx, IReadOnlyList<NewAchievement> entries, long lastIdBefore, CancellationToken ct)
    {
        var totals = db.Dialect.UpsertAddFromSelect("achievement_totals", TotalsKeys, RegionColumns, "achieved",
            """
            SELECT period, kelurahan, sudin, kota, kecamatan, SUM(count) FROM achievements
            WHERE id > @lastIdBefore GROUP BY period, kelurahan, sudin, kota, kecamatan
            """);
        if (totals is null)
        {
            await AddToAggregatesAsync(connection, tx, entries, ct);
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition(totals, new { lastIdBefore }, tx, cancellationToken: ct));
    }

    private async Task AddToAggregatesAsync(DbConnection connection, DbTransaction tx, IEnumerable<NewAchievement> entries, CancellationToken ct)
    {
        var daily = entries
            .GroupBy(e => (e.Period, e.Kelurahan, e.Sudin, e.Date, e.Kota, e.Kecamatan))
            .Select(g => (g.Key, Achieved: g.Sum(e => e.Count)))
            .ToList();
        var totals = daily
            .GroupBy(d => (d.Key.Period, d.Key.Kelurahan, d.Key.Sudin, d.Key.Kota, d.Key.Kecamatan))
            .Select(g => (g.Key, Achieved: g.Sum(d => d.Achieved)))
            .ToList();
        var rows = db.Dialect.UpsertRowsPerStatement;
        if (!FoldsDailyInBackground)
        {
            await ChunkedCommand.ExecuteAsync(connection, tx, db.Dialect, n => db.Dialect.UpsertAdd("achievement_daily", DailyKeys, RegionColumns, "achieved", n),
                DailyColumns, rows, daily.Count,
                (i, values) =>
                {
                    var (k, achieved) = daily[i];
                    values[0] = k.Period; values[1] = k.Kelurahan; values[2] = k.Sudin; values[3] = Iso.Date(k.Date);
                    values[4] = k.Kota; values[5] = k.Kecamatan; values[6] = achieved;
                }, ct);
        }
        await ChunkedCommand.ExecuteAsync(connection, tx, db.Dialect, n => db.Dialect.UpsertAdd("achievement_totals", TotalsKeys, RegionColumns, "achieved", n),
            TotalsColumns, rows, totals.Count,
            (i, values) =>
            {
                var (k, achieved) = totals[i];
                values[0] = k.Period; values[1] = k.Kelurahan; values[2] = k.Sudin; values[3] = k.Kota; values[4] = k.Kecamatan; values[5] = achieved;
            }, ct);
    }

    private Task AddToAggregatesAsync(DbConnection connection, DbTransaction tx, IEnumerable<Achievement> entries, CancellationToken ct) =>
        AddToAggregatesAsync(connection, tx,
            entries.Select(a => new NewAchievement(a.Period, a.Kota, a.Kecamatan, a.Kelurahan, a.Sudin, a.Count, a.Date, a.Reference, a.Note)), ct);

    /// <summary>
    /// Stripe-style idempotency made safe under concurrency by the primary key of
    /// <c>idempotency_keys</c>: the record is inserted first inside the write's transaction, so a
    /// concurrent duplicate either waits on the key (SQL Server) or on the write lock (SQLite) and
    /// then fails on the key, rolls back, and replays what the first request committed.
    /// </summary>
    private async Task<IdempotentResult> RunIdempotentAsync(
        IdempotencyRequest? idempotency, Func<DbConnection, DbTransaction, Task<StoredResponse>> work, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using (await db.WaitToWriteAsync(ct))
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            var claimed = idempotency is null || await TryClaimAsync(connection, tx, idempotency, ct);
            if (claimed)
            {
                var response = await work(connection, tx);
                if (idempotency is not null)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        """
                        UPDATE idempotency_keys SET status = @Status, response_body = @Body, location = @Location
                        WHERE key_id = @KeyId AND idempotency_key = @Key
                        """,
                        new { response.Status, response.Body, response.Location, idempotency.KeyId, idempotency.Key }, tx, cancellationToken: ct));
                }
                await tx.CommitAsync(ct);
                return new IdempotentResult(IdempotencyState.Fresh, response);
            }
            await tx.RollbackAsync(ct);
        }
        var stored = await FindIdempotencyAsync(connection, idempotency!.KeyId, idempotency.Key, ct);
        return IdempotentResult.From(stored, idempotency);
    }

    private async Task<bool> TryClaimAsync(DbConnection connection, DbTransaction tx, IdempotencyRequest idempotency, CancellationToken ct)
    {
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO idempotency_keys (key_id, idempotency_key, request_hash, status, response_body, location, created_at)
                VALUES (@KeyId, @Key, @RequestHash, 0, '', NULL, @CreatedAt)
                """,
                new { idempotency.KeyId, idempotency.Key, idempotency.RequestHash, CreatedAt = Iso.Instant(time.GetUtcNow()) },
                tx, cancellationToken: ct));
            return true;
        }
        catch (DbException e) when (SqlDialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    private static Task<StoredIdempotency?> FindIdempotencyAsync(DbConnection connection, string keyId, string key, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<StoredIdempotency>(new CommandDefinition(
            """
            SELECT request_hash AS RequestHash, status AS Status, response_body AS Body, location AS Location
            FROM idempotency_keys WHERE key_id = @keyId AND idempotency_key = @key
            """,
            new { keyId, key }, cancellationToken: ct));
}

internal sealed record Column(string Name, DbType Type, int Size);

/// <summary>
/// Writes many rows through multi-row statements: one command for the full chunks, prepared once
/// and executed again with new parameter values for every chunk, and one for the remainder.
/// Per-statement overhead is what limits ingest speed, so a 5,000-row batch takes 50 statements,
/// not 5,000. SQLite keeps the compiled statement; SQL Server reuses the cached plan of the
/// parameterised statement (explicit Prepare is skipped there, as the upsert is a two-statement batch).
/// </summary>
internal static class ChunkedCommand
{
    public static async Task ExecuteAsync(
        DbConnection connection, DbTransaction tx, SqlDialect dialect, Func<int, string> sqlForRows, Column[] columns, int rowsPerStatement,
        int rowCount, Action<int, object?[]> fill, CancellationToken ct)
    {
        var values = new object?[columns.Length];
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rowCount; start += rowsPerStatement)
            {
                var rows = Math.Min(rowsPerStatement, rowCount - start);
                var command = rows == rowsPerStatement
                    ? full ??= await CreateAsync(connection, tx, dialect, sqlForRows(rows), columns, rows, ct)
                    : await CreateAsync(connection, tx, dialect, sqlForRows(rows), columns, rows, ct);
                try
                {
                    for (var r = 0; r < rows; r++)
                    {
                        fill(start + r, values);
                        for (var c = 0; c < columns.Length; c++)
                        {
                            command.Parameters[r * columns.Length + c].Value = values[c] ?? DBNull.Value;
                        }
                    }
                    await command.ExecuteNonQueryAsync(ct);
                }
                finally
                {
                    if (command != full)
                    {
                        await command.DisposeAsync();
                    }
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    private static async Task<DbCommand> CreateAsync(
        DbConnection connection, DbTransaction tx, SqlDialect dialect, string sql, Column[] columns, int rows, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        for (var r = 0; r < rows; r++)
        {
            foreach (var column in columns)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@{column.Name}_{r}";
                parameter.DbType = column.Type;
                if (column.Size > 0)
                {
                    parameter.Size = column.Size;
                }
                command.Parameters.Add(parameter);
            }
        }
        if (dialect.IsSqlite)
        {
            await command.PrepareAsync(ct);
        }
        return command;
    }
}
