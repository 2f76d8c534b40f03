using System.Net;
using System.Net.Http.Json;
using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Jakpreneur.Tests.Reliability;

/// <summary>
/// SQLite's single writer: writers of one process take turns at an in-process gate, and the
/// write-ahead log is copied back into the database file in the background, not by a request.
/// </summary>
public sealed class SqliteWriterTests
{
    private TestDatabase _database = null!;
    private JakpreneurApp _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = await TestDatabase.CreateAsync(Providers.Sqlite);
        _app = new JakpreneurApp(_database, new FakeTimeProvider(FakeTimeProvider.DefaultStart));
        _ = _app.Server;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Test]
    public async Task AcknowledgedBatchesReachTheDatabaseFileWithoutAnyFurtherWrite()
    {
        using var admin = _app.ClientWithKey(JakpreneurApp.AdminKey);
        var period = await NewPeriodAsync(admin);
        const int rows = 500;
        await PostBatchAsync(admin, period, rows);

        // immutable=1 reads the database file alone, ignoring the WAL: the rows are there only once
        // the log was copied back. The batch is far below SQLite's own checkpoint threshold, so
        // without the background checkpointer they would stay in the log.
        long inFile = -1;
        for (var attempt = 0; attempt < 100 && inFile != rows; attempt++)
        {
            await Task.Delay(100);
            inFile = await CountInDatabaseFileAsync(period);
        }
        Assert.That(inFile, Is.EqualTo(rows));
    }

    [Test]
    public async Task LedgerRowsAreFoldedIntoTheDailyFiguresInTheBackground()
    {
        using var admin = _app.ClientWithKey(JakpreneurApp.AdminKey);
        var period = await NewPeriodAsync(admin);
        await PostBatchAsync(admin, period, 300);

        await using var connection = new SqliteConnection(_database.ConnectionString);
        await connection.OpenAsync();
        (long Unfolded, long DailyRows) state = (-1, -1);
        for (var attempt = 0; attempt < 100 && state.Unfolded != 0; attempt++)
        {
            await Task.Delay(100);
            state = await connection.QuerySingleAsync<(long, long)>(
                """
                SELECT (SELECT COUNT(*) FROM achievements WHERE id > (SELECT last_id FROM aggregate_progress WHERE name = 'achievement_daily')),
                       (SELECT COUNT(*) FROM achievement_daily WHERE period = @period)
                """, new { period });
        }
        Assert.That(state.Unfolded, Is.Zero, "every ledger row is folded within seconds");
        Assert.That(state.DailyRows, Is.EqualTo(28), "one daily row per date of the batch");
    }

    [Test]
    public async Task WritersOfOneDatabaseTakeTurnsAndOtherDatabasesDoNotWait()
    {
        var path = _database.FilePath!;
        var one = new Db(DatabaseOptions.Sqlite, $"Data Source={path}");
        var sameFile = new Db(DatabaseOptions.Sqlite, $"Data Source={Path.Combine(Path.GetDirectoryName(path)!, ".", Path.GetFileName(path))}");
        var otherFile = new Db(DatabaseOptions.Sqlite, $"Data Source={Path.Combine(Path.GetDirectoryName(path)!, "other.db")}");

        var first = await one.WaitToWriteAsync();
        var second = sameFile.WaitToWriteAsync().AsTask();
        using (await otherFile.WaitToWriteAsync())
        {
            Assert.That(second.IsCompleted, Is.False, "a second writer of the same file waits for the first");
        }
        using (var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            Assert.That(async () => await one.WaitToWriteAsync(cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        }
        first.Dispose();
        first.Dispose(); // a second dispose must not hand out a second turn
        using (await second)
        {
            var third = one.WaitToWriteAsync().AsTask();
            Assert.That(third.IsCompleted, Is.False, "only one turn at a time, even after a double dispose");
            (await second).Dispose();
            (await third).Dispose();
        }
    }

    private static async Task<string> NewPeriodAsync(HttpClient admin)
    {
        var period = $"W-{Guid.NewGuid():N}"[..16];
        var created = await admin.PutAsJsonAsync($"/api/v1/periods/{period}", new
        {
            name = "WAL",
            startDate = "2020-01-01",
            endDate = "2020-12-31",
            targetDeadline = "2020-12-15",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return period;
    }

    /// <summary>One batch of <paramref name="rows"/> entries of one kelurahan and sudin over 28 dates.</summary>
    private static async Task PostBatchAsync(HttpClient admin, string period, int rows)
    {
        var entries = Enumerable.Range(0, rows).Select(i => new
        {
            period,
            kelurahan = "31.73.01.1001",
            sudin = "KPKP",
            count = 1,
            date = $"2020-11-{1 + i % 28:D2}",
        }).ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements/batch") { Content = JsonContent.Create(new { entries }) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.That((await admin.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    private async Task<long> CountInDatabaseFileAsync(string period)
    {
        try
        {
            await using var connection = new SqliteConnection($"Data Source=file:{_database.FilePath}?immutable=1;Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM achievements WHERE period = $period";
            command.Parameters.AddWithValue("$period", period);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (SqliteException)
        {
            return -1; // the file does not hold the schema yet
        }
    }
}
