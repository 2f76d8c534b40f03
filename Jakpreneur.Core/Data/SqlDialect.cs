using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Jakpreneur.Core.Data;

/// <summary>
/// The few places where SQLite and SQL Server SQL differ. Feature queries ask the dialect
/// for these fragments instead of carrying two copies of every statement.
/// </summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(DatabaseOptions.Sqlite, isSqlite: true);

    public static readonly SqlDialect SqlServer = new(DatabaseOptions.SqlServer, isSqlite: false);

    private SqlDialect(string name, bool isSqlite)
    {
        Name = name;
        IsSqlite = isSqlite;
    }

    public string Name { get; }

    public bool IsSqlite { get; }

    /// <summary>Placed after <c>VALUES (...)</c> on SQLite to return the new row's id.</summary>
    public string ReturningId => IsSqlite ? "RETURNING id" : "";

    /// <summary>Placed between the column list and <c>VALUES</c> on SQL Server to return the new row's id.</summary>
    public string OutputId => IsSqlite ? "" : "OUTPUT INSERTED.id";

    /// <summary>Row limit placed after ORDER BY: <c>LIMIT @limit</c> or <c>OFFSET 0 ROWS FETCH NEXT @limit ROWS ONLY</c>.</summary>
    public string Limit(string parameter) =>
        IsSqlite ? $"LIMIT {parameter}" : $"OFFSET 0 ROWS FETCH NEXT {parameter} ROWS ONLY";

    /// <summary>
    /// Table hint after a table name in a SELECT inside a write transaction, so a read-then-write
    /// holds its lock: SQLite's BEGIN IMMEDIATE already serialises writers; SQL Server needs UPDLOCK.
    /// </summary>
    public string ForUpdate => IsSqlite ? "" : "WITH (UPDLOCK, HOLDLOCK)";

    /// <summary>
    /// A read-only transaction whose statements all see one state (a total and the rows it sums):
    /// on SQLite a deferred transaction, a WAL snapshot that takes no write lock; on SQL Server
    /// REPEATABLE READ, so rows read by the first statement keep their values for the next.
    /// </summary>
    public async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct) =>
        IsSqlite
            ? ((SqliteConnection)connection).BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    /// <summary>Rows one multi-row upsert may carry: SQLite takes many; SQL Server's UPDATE-then-INSERT takes one.</summary>
    public int UpsertRowsPerStatement => IsSqlite ? 100 : 1;

    /// <summary>
    /// Adds <c>@{addColumn}_i</c> to running totals, creating rows that are missing, for
    /// <paramref name="rows"/> rows whose parameters are named after the columns with the row
    /// index (<c>@period_0</c>). Keys must be distinct within one statement. SQL Server: UPDATE
    /// with HOLDLOCK, then INSERT when nothing matched (the range lock keeps a concurrent writer
    /// from inserting the same key).
    /// </summary>
    public string UpsertAdd(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> otherColumns, string addColumn, int rows = 1)
    {
        var columns = keyColumns.Concat(otherColumns).Append(addColumn).ToArray();
        if (IsSqlite)
        {
            return $"{InsertRows(table, columns, rows)} ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {addColumn} = {addColumn} + excluded.{addColumn}";
        }
        if (rows != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), "SQL Server upserts one row per statement.");
        }
        var where = string.Join(" AND ", keyColumns.Select(c => $"{c} = @{c}_0"));
        return $"UPDATE {table} WITH (UPDLOCK, HOLDLOCK) SET {addColumn} = {addColumn} + @{addColumn}_0 WHERE {where}; IF @@ROWCOUNT = 0 {InsertRows(table, columns, 1)};";
    }

    /// <summary>
    /// SQLite only (null on SQL Server): adds the grouped rows of <paramref name="select"/> (columns
    /// in the order keys, others, add) to running totals in one statement, inside SQLite's engine.
    /// </summary>
    public string? UpsertAddFromSelect(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> otherColumns, string addColumn, string select)
    {
        if (!IsSqlite)
        {
            return null;
        }
        var columns = keyColumns.Concat(otherColumns).Append(addColumn);
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) {select} " +
               $"ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {addColumn} = {addColumn} + excluded.{addColumn}";
    }

    /// <summary><c>INSERT INTO t (a, b) VALUES (@a_0, @b_0), (@a_1, @b_1), ...</c> (both dialects; keep rows x columns under 2100 for SQL Server).</summary>
    public static string InsertRows(string table, IReadOnlyList<string> columns, int rows) =>
        $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES " +
        string.Join(", ", Enumerable.Range(0, rows).Select(r => $"({string.Join(", ", columns.Select(c => $"@{c}_{r}"))})"));

    /// <summary>True when the exception is a unique or primary-key violation.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode == 19 && e.SqliteExtendedErrorCode is 2067 or 1555,
        SqlException e => e.Number is 2627 or 2601,
        _ => false,
    };
}
