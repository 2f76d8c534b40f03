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
}

/// <summary>
/// Hands out short-lived open connections for one configured database, and the dialect
/// object that holds the little SQL that differs between SQLite and SQL Server.
/// </summary>
public sealed class Db
{
    private readonly string _connectionString;

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
                await connection.ExecuteAsync("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
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
