using Jakpreneur.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Jakpreneur.Jobs;

/// <summary>
/// Quartz cannot cluster on SQLite, and two schedulers on one SQLite file would fire every trigger
/// twice and fight over its lock rows. The first scheduler holds an exclusive lock on
/// <c>&lt;database&gt;.scheduler.lock</c> for its lifetime; a second one refuses to start, naming the file.
/// </summary>
public sealed class SqliteSchedulerLock(Db db, ILogger<SqliteSchedulerLock> logger) : IHostedService, IDisposable
{
    private FileStream? _lock;

    public string LockPath { get; } = new SqliteConnectionStringBuilder(db.ConnectionString).DataSource + ".scheduler.lock";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _lock = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            _lock.SetLength(0);
            using (var writer = new StreamWriter(_lock, leaveOpen: true))
            {
                writer.Write($"{Environment.MachineName} pid {Environment.ProcessId} since {DateTimeOffset.UtcNow:O}");
            }
            _lock.Flush();
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another Jakpreneur scheduler already runs on this SQLite database (lock file {LockPath} is held). " +
                "SQLite allows one scheduler per database: set Jobs:InProcess=false on this API instance, or stop the other " +
                "Jakpreneur.Jobs worker or API. Use SQL Server for several clustered workers.", e);
        }
        logger.LogInformation("Scheduler lock {LockPath} acquired", LockPath);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
