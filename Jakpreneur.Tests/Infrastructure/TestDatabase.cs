using Microsoft.Data.SqlClient;

namespace Jakpreneur.Tests.Infrastructure;

public static class Providers
{
    public const string Sqlite = "sqlite";
    public const string SqlServer = "sqlserver";
    public const string SqlServerVariable = "JAKPRENEUR_TEST_SQLSERVER";
}

/// <summary>A fresh, empty database for one fixture: a SQLite file, or a new SQL Server database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _sqlServerMaster;
    private readonly string? _sqlServerName;
    private readonly string? _directory;

    private TestDatabase(string provider, string connectionString, string? directory, string? master, string? name)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _directory = directory;
        _sqlServerMaster = master;
        _sqlServerName = name;
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The SQLite file (null for SQL Server).</summary>
    public string? FilePath => _directory is null ? null : Path.Combine(_directory, "jakpreneur.db");

    /// <summary>Creates the database, or ignores the test with the reason when SQL Server is not configured.</summary>
    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        if (provider == Providers.Sqlite)
        {
            var directory = Path.Combine(Path.GetTempPath(), "jakpreneur-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            return new TestDatabase(provider, $"Data Source={Path.Combine(directory, "jakpreneur.db")}", directory, null, null);
        }
        var master = Environment.GetEnvironmentVariable(Providers.SqlServerVariable);
        if (string.IsNullOrWhiteSpace(master))
        {
            Assert.Ignore($"SQL Server parity: set {Providers.SqlServerVariable} to a connection string to run this fixture against SQL Server (no SQL Server runs on the development machines).");
        }
        var name = $"jakpreneur_test_{Guid.NewGuid():N}";
        await using (var connection = new SqlConnection(master))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE [{name}]";
            await command.ExecuteNonQueryAsync();
        }
        var builder = new SqlConnectionStringBuilder(master) { InitialCatalog = name };
        return new TestDatabase(provider, builder.ConnectionString, null, master, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlServerMaster is not null)
        {
            SqlConnection.ClearAllPools();
            await using var connection = new SqlConnection(_sqlServerMaster);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"ALTER DATABASE [{_sqlServerName}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_sqlServerName}];";
            await command.ExecuteNonQueryAsync();
        }
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
