using System.Data;
using System.Data.Common;
using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Data;

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
/// (<c>achievement_totals</c>) and the daily figures (<c>achievement_daily</c>) in the same
/// transaction, so roll-ups read aggregates bounded by kelurahan x sudin and are never stale.
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
    /// Appends a validated batch in one transaction: one prepared INSERT reused for every row, then
    /// one aggregate upsert per (kelurahan, sudin, date) and per (kelurahan, sudin) of the batch.
    /// </summary>
    public Task<IdempotentResult> PostBatchAsync(
        IReadOnlyList<NewAchievement> entries, Actor actor, IdempotencyRequest idempotency, Func<int, StoredResponse> respond, CancellationToken ct) =>
        RunIdempotentAsync(idempotency, async (connection, tx) =>
        {
            var recordedAt = Iso.Instant(time.GetUtcNow());
            await using (var insert = await PreparedCommand.CreateAsync(connection, tx, db.Dialect, string.Format(InsertSql, "", ""), InsertParameters, ct))
            {
                foreach (var e in entries)
                {
                    await insert.ExecuteAsync(ct, e.Period, e.Kota, e.Kecamatan, e.Kelurahan, e.Sudin, e.Count, Iso.Date(e.Date),
                        e.Reference, e.Note, recordedAt, actor.KeyId, null);
                }
            }
            await AddToAggregatesAsync(connection, tx, entries, ct);
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

    private static readonly (string Name, DbType Type, int Size)[] InsertParameters =
    [
        ("@period", DbType.AnsiString, 32), ("@kota", DbType.AnsiString, 20), ("@kecamatan", DbType.AnsiString, 20),
        ("@kelurahan", DbType.AnsiString, 20), ("@sudin", DbType.AnsiString, 20), ("@count", DbType.Int64, 0),
        ("@date", DbType.AnsiString, 10), ("@reference", DbType.String, LedgerLimits.MaxReference),
        ("@note", DbType.String, LedgerLimits.MaxNote), ("@recorded_at", DbType.AnsiString, 33),
        ("@key_id", DbType.AnsiString, 40), ("@reverses_id", DbType.Int64, 0),
    ];

    private async Task<Achievement> InsertOneAsync(
        DbConnection connection, DbTransaction tx, NewAchievement e, string keyId, long? reversesId, CancellationToken ct)
    {
        var recordedAt = time.GetUtcNow();
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            string.Format(InsertSql, db.Dialect.OutputId, db.Dialect.ReturningId),
            new
            {
                period = e.Period, kota = e.Kota, kecamatan = e.Kecamatan, kelurahan = e.Kelurahan, sudin = e.Sudin,
                count = e.Count, date = e.Date, reference = e.Reference, note = e.Note, recorded_at = recordedAt,
                key_id = keyId, reverses_id = reversesId,
            },
            tx, cancellationToken: ct));
        return new Achievement(id, e.Period, e.Kota, e.Kecamatan, e.Kelurahan, e.Sudin, e.Count, e.Date, e.Reference, e.Note,
            recordedAt, keyId, reversesId);
    }

    private static readonly string[] TotalsKeys = ["period", "kelurahan", "sudin"];
    private static readonly string[] DailyKeys = ["period", "kelurahan", "sudin", "date"];
    private static readonly string[] RegionColumns = ["kota", "kecamatan"];

    private static readonly (string Name, DbType Type, int Size)[] TotalsParameters =
    [
        ("@period", DbType.AnsiString, 32), ("@kelurahan", DbType.AnsiString, 20), ("@sudin", DbType.AnsiString, 20),
        ("@kota", DbType.AnsiString, 20), ("@kecamatan", DbType.AnsiString, 20), ("@achieved", DbType.Int64, 0),
    ];

    private static readonly (string Name, DbType Type, int Size)[] DailyParameters =
    [
        ("@period", DbType.AnsiString, 32), ("@kelurahan", DbType.AnsiString, 20), ("@sudin", DbType.AnsiString, 20),
        ("@date", DbType.AnsiString, 10), ("@kota", DbType.AnsiString, 20), ("@kecamatan", DbType.AnsiString, 20),
        ("@achieved", DbType.Int64, 0),
    ];

    private async Task AddToAggregatesAsync(DbConnection connection, DbTransaction tx, IEnumerable<NewAchievement> entries, CancellationToken ct)
    {
        var daily = entries
            .GroupBy(e => (e.Period, e.Kelurahan, e.Sudin, e.Date, e.Kota, e.Kecamatan))
            .Select(g => (g.Key, Achieved: g.Sum(e => e.Count)))
            .ToList();
        await using (var upsert = await PreparedCommand.CreateAsync(connection, tx, db.Dialect,
                         db.Dialect.UpsertAdd("achievement_daily", DailyKeys, RegionColumns, "achieved"), DailyParameters, ct))
        {
            foreach (var (k, achieved) in daily)
            {
                await upsert.ExecuteAsync(ct, k.Period, k.Kelurahan, k.Sudin, Iso.Date(k.Date), k.Kota, k.Kecamatan, achieved);
            }
        }
        var totals = daily
            .GroupBy(d => (d.Key.Period, d.Key.Kelurahan, d.Key.Sudin, d.Key.Kota, d.Key.Kecamatan))
            .Select(g => (g.Key, Achieved: g.Sum(d => d.Achieved)));
        await using var upsertTotal = await PreparedCommand.CreateAsync(connection, tx, db.Dialect,
            db.Dialect.UpsertAdd("achievement_totals", TotalsKeys, RegionColumns, "achieved"), TotalsParameters, ct);
        foreach (var (k, achieved) in totals)
        {
            await upsertTotal.ExecuteAsync(ct, k.Period, k.Kelurahan, k.Sudin, k.Kota, k.Kecamatan, achieved);
        }
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

/// <summary>
/// One command prepared once and executed per row with new parameter values: the fast path for
/// batches. SQLite keeps the compiled statement; SQL Server reuses the cached plan of the
/// parameterised batch (explicit Prepare is skipped there because the upsert is a two-statement batch).
/// </summary>
internal sealed class PreparedCommand : IAsyncDisposable
{
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;

    private PreparedCommand(DbCommand command, DbParameter[] parameters)
    {
        _command = command;
        _parameters = parameters;
    }

    public static async Task<PreparedCommand> CreateAsync(
        DbConnection connection, DbTransaction tx, SqlDialect dialect, string sql, (string Name, DbType Type, int Size)[] parameters, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        var created = parameters.Select(p =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = p.Name;
            parameter.DbType = p.Type;
            if (p.Size > 0)
            {
                parameter.Size = p.Size;
            }
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        if (dialect.IsSqlite)
        {
            await command.PrepareAsync(ct);
        }
        return new PreparedCommand(command, created);
    }

    public Task<int> ExecuteAsync(CancellationToken ct, params object?[] values)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return _command.ExecuteNonQueryAsync(ct);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
