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
}
