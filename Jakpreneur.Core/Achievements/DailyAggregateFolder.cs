using Dapper;
using Jakpreneur.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Jakpreneur.Core.Achievements;

/// <summary>
/// SQLite: adds ledger rows to <c>achievement_daily</c> in the background, in id order, and records
/// in <c>aggregate_progress</c> the highest id the daily figures hold — in the same transaction,
/// so a crash leaves both as they were. A roll-up as of a date adds the ledger rows above that id
/// (<see cref="Rollups.RollupQueries"/>), so figures are exact whether or not a fold has run yet;
/// folding only keeps that remainder short. SQLite commits writers one at a time, so ids commit in
/// order and "every row above the last folded id" is exactly what is not folded. Two processes on
/// one database may both fold: each reads the progress inside its write transaction.
/// On SQL Server the ledger writes achievement_daily itself and this service does nothing.
/// </summary>
public sealed class DailyAggregateFolder(Db db, DatabaseOptions options, ILogger<DailyAggregateFolder> logger) : BackgroundService
{
    /// <summary>
    /// Ledger rows folded per transaction: large enough that a daily page is written once for many
    /// rows (in the national benchmark a folded row cost ~11 µs with folds capped at 50,000 rows, ~8 µs at 100,000), short enough
    /// that writers wait at most about half a second behind it.
    /// </summary>
    public const int RowsPerFold = 100_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!db.Dialect.IsSqlite || options.DailyFoldInterval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.DailyFoldInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FoldAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Nothing is lost: the rows stay above the progress mark and roll-ups still count them.
                logger.LogWarning(e, "Folding the ledger into achievement_daily failed; retrying in {Interval}", options.DailyFoldInterval);
            }
        }
    }

    /// <summary>Folds every ledger row not yet in achievement_daily; returns how many rows were folded.</summary>
    public async Task<long> FoldAsync(CancellationToken ct)
    {
        if (!db.Dialect.IsSqlite)
        {
            return 0;
        }
        long folded = 0;
        while (await FoldChunkAsync(ct) is var rows and > 0)
        {
            folded += rows;
        }
        return folded;
    }

    /// <summary>The highest folded id and the highest ledger id.</summary>
    private const string ProgressSql = """
        SELECT (SELECT last_id FROM aggregate_progress WHERE name = 'achievement_daily'),
               (SELECT COALESCE(MAX(id), 0) FROM achievements)
        """;

    private async Task<long> FoldChunkAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        // A plain read first: an idle service must not take the write lock every second.
        var (folded, newest) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(ProgressSql, cancellationToken: ct));
        if (newest <= folded)
        {
            return 0;
        }
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Read again under the write lock: another process may have folded meanwhile.
        var (from, last) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(ProgressSql, transaction: tx, cancellationToken: ct));
        var through = Math.Min(last, from + RowsPerFold);
        if (through <= from)
        {
            return 0;
        }
        // Grouped by the daily key alone: kota and kecamatan follow from the kelurahan, and a shorter
        // sort key makes the sort, about a third of a fold, cheaper.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO achievement_daily (period, kelurahan, sudin, date, kota, kecamatan, achieved)
            SELECT period, kelurahan, sudin, date, MIN(kota), MIN(kecamatan), SUM(count) FROM achievements
            WHERE id > @from AND id <= @through
            GROUP BY period, kelurahan, sudin, date
            ON CONFLICT (period, kelurahan, sudin, date) DO UPDATE SET achieved = achieved + excluded.achieved;
            UPDATE aggregate_progress SET last_id = @through WHERE name = 'achievement_daily';
            """, new { from, through }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return through - from;
    }
}
