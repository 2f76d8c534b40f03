using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Jakpreneur.Core.Data;

public sealed class DatabaseOptions
{
    public const string Sqlite = "sqlite";
    public const string SqlServer = "sqlserver";

    /// <summary><c>sqlite</c> (embedded, default) or <c>sqlserver</c>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>SQLite file, relative to the content root unless rooted.</summary>
    public string Path { get; set; } = "data/jakpreneur.db";

    /// <summary>SQL Server connection string (<c>ConnectionStrings:Jakpreneur</c>); for SQLite it overrides <see cref="Path"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// SQLite: how often ledger rows are folded into the daily figures in the background
    /// (<c>Achievements.DailyAggregateFolder</c>); zero or less folds only on request. Figures are
    /// exact either way; folding keeps roll-ups as of a past date fast.
    /// </summary>
    public TimeSpan DailyFoldInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Hands out short-lived open connections for one configured database, and the dialect
/// object that holds the little SQL that differs between SQLite and SQL Server.
/// </summary>
public sealed class Db
{
    /// <summary>
    /// Pages the WAL may hold before the committing connection checkpoints it itself (SQLite's
    /// default is 1,000). <see cref="WalCheckpointer"/> normally copies the WAL back long before,
    /// outside any write; this bound holds where it does not run (tools, the benchmark's raw insert).
    /// </summary>
    public const int WalAutoCheckpointPages = 16_384;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriterGates = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly SemaphoreSlim? _writerGate;

    static Db()
    {
        DapperTypeHandlers.Register();
    }

    public Db(string provider, string connectionString)
    {
        Dialect = provider.ToLowerInvariant() switch
        {
            DatabaseOptions.Sqlite => SqlDialect.Sqlite,
            DatabaseOptions.SqlServer => SqlDialect.SqlServer,
            _ => throw new InvalidOperationException(
                $"Database:Provider '{provider}' is not supported; use '{DatabaseOptions.Sqlite}' or '{DatabaseOptions.SqlServer}'."),
        };
        _connectionString = Dialect.IsSqlite ? NormalizeSqlite(connectionString) : connectionString;
        _writerGate = Dialect.IsSqlite
            ? WriterGates.GetOrAdd(Path.GetFullPath(new SqliteConnectionStringBuilder(_connectionString).DataSource), _ => new SemaphoreSlim(1, 1))
            : null;
    }

    public SqlDialect Dialect { get; }

    public string ConnectionString => _connectionString;

    public static Db FromOptions(DatabaseOptions options, string contentRoot)
    {
        if (options.Provider.Equals(DatabaseOptions.SqlServer, StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                throw new InvalidOperationException(
                    "Database:Provider is 'sqlserver' but ConnectionStrings:Jakpreneur is empty.");
            }
            return new Db(DatabaseOptions.SqlServer, options.ConnectionString);
        }
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new Db(options.Provider, options.ConnectionString);
        }
        var path = System.IO.Path.IsPathRooted(options.Path)
            ? options.Path
            : System.IO.Path.Combine(contentRoot, options.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return new Db(DatabaseOptions.Sqlite, $"Data Source={path}");
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = Dialect.IsSqlite
            ? new SqliteConnection(_connectionString)
            : new SqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            if (Dialect.IsSqlite)
            {
                // Per-connection settings; journal_mode=WAL is persistent and set by the migration runner.
                // busy_timeout: a writer of another process waits inside SQLite, which retries within
                // milliseconds, rather than in Microsoft.Data.Sqlite's retry loop, which sleeps 150 ms.
                await connection.ExecuteAsync(
                    $"PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 60000; PRAGMA wal_autocheckpoint = {WalAutoCheckpointPages};");
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits for this process's turn to write; dispose the result after the transaction ends.
    /// SQLite takes one writer at a time per database. Writers that meet at its lock poll for it,
    /// so the lock sits idle between one commit and the next waiter's wake-up; writers of one
    /// process queue here instead and start the moment the previous one is done (other processes
    /// still meet at SQLite's lock). SQL Server locks rows, not the database: no wait there.
    /// </summary>
    public async ValueTask<IDisposable> WaitToWriteAsync(CancellationToken ct = default)
    {
        if (_writerGate is null)
        {
            return NoGate.Instance;
        }
        await _writerGate.WaitAsync(ct);
        return new GateTurn(_writerGate);
    }

    private sealed class GateTurn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    private sealed class NoGate : IDisposable
    {
        public static readonly NoGate Instance = new();

        public void Dispose()
        {
        }
    }

    private static string NormalizeSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
            // Writers queue behind SQLite's single write lock instead of failing with SQLITE_BUSY.
            DefaultTimeout = Math.Max(new SqliteConnectionStringBuilder(connectionString).DefaultTimeout, 60),
        };
        return builder.ToString();
    }
}
