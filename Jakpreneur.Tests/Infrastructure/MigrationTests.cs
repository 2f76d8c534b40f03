using Dapper;
using Jakpreneur.Core.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jakpreneur.Tests.Infrastructure;

public sealed class MigrationTests
{
    [Test]
    public async Task MigrationsApplyOnceAndAChangedScriptStopsStartUp()
    {
        await using var database = await TestDatabase.CreateAsync(Providers.Sqlite);
        var db = new Db(database.Provider, database.ConnectionString);
        var runner = new MigrationRunner(db, NullLogger<MigrationRunner>.Instance);

        var first = await runner.RunAsync();
        var second = await runner.RunAsync();
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE schema_migrations SET checksum = 'tampered' WHERE id = '0001_foundation'");
        }
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync());

        Assert.That(first, Is.EqualTo(MigrationRunner.Load(db.Dialect).Count));
        Assert.That(second, Is.Zero);
        Assert.That(error!.Message, Does.Contain("0001_foundation").And.Contain("changed after it was applied"));
    }

    [Test]
    public void BothDialectsHaveTheSameMigrations()
    {
        var sqlite = MigrationRunner.Load(SqlDialect.Sqlite).Select(m => m.Id);
        var sqlServer = MigrationRunner.Load(SqlDialect.SqlServer).Select(m => m.Id);

        Assert.That(sqlServer, Is.EqualTo(sqlite));
    }

    [Test]
    public async Task SqliteRunsInWalModeWithForeignKeys()
    {
        await using var database = await TestDatabase.CreateAsync(Providers.Sqlite);
        var db = new Db(database.Provider, database.ConnectionString);
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync();

        await using var connection = await db.OpenAsync();
        Assert.That(await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"), Is.EqualTo("wal"));
        Assert.That(await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"), Is.EqualTo(1));
    }
}
