using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Jakpreneur.Core.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file in the background, so that no
/// write pays for it. Left to SQLite, the commit that crosses the WAL size limit copies the log
/// itself (random writes into the database file and an fsync) while its caller waits — at
/// national scale that was half of a 5,000-row batch's time. A passive checkpoint runs beside
/// readers and writers; once the log is long, one more pass inside the writers' queue lets the
/// next writer start the log from the beginning, which keeps the WAL file short. Durability does
/// not depend on it: a commit is durable once its WAL frames are synced.
/// </summary>
public sealed class WalCheckpointer(Db db, ILogger<WalCheckpointer> logger) : BackgroundService
{
    /// <summary>How often the log is copied back.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Log length (pages) beyond which a pass runs between two writes to let the log restart.</summary>
    public const int RestartPages = 4096;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!db.Dialect.IsSqlite)
        {
            return;
        }
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed pass leaves the log as it is; SQLite's own limit still bounds it.
                logger.LogWarning(e, "WAL checkpoint failed; retrying in {Interval}", Interval);
            }
        }
    }

    /// <summary>One pass: a passive checkpoint, and when the log is long a second one between two writes.</summary>
    public async Task CheckpointAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var (_, log, _) = await PassiveAsync(connection, ct);
        if (log > RestartPages)
        {
            using var turn = await db.WaitToWriteAsync(ct);
            await PassiveAsync(connection, ct);
        }
    }

    private static async Task<(long Busy, long Log, long Checkpointed)> PassiveAsync(System.Data.Common.DbConnection connection, CancellationToken ct) =>
        await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition("PRAGMA wal_checkpoint(PASSIVE)", cancellationToken: ct));
}
