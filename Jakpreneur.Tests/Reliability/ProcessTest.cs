using Dapper;
using Microsoft.Data.Sqlite;

namespace Jakpreneur.Tests.Reliability;

/// <summary>Base of tests that run the API as separate processes: a fresh directory per test for its SQLite file.</summary>
[Category("Reliability")]
[NonParallelizable]
public abstract class ProcessTest
{
    private string _directory = "";

    /// <summary>The SQLite file the test's API processes share.</summary>
    protected string Database => Path.Combine(_directory, "jakpreneur.db");

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "jakpreneur-process", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A scalar read straight from the shared SQLite file, read-only, beside the API processes.</summary>
    protected async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly");
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>Polls until the condition holds; fails the test after 90 s.</summary>
    protected static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("condition not reached within 90 s");
            }
            await Task.Delay(250);
        }
    }
}
