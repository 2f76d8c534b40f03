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
    /// Adds <c>@{addColumn}</c> to a running total, creating the row when it is missing. Parameters
    /// are named after the columns (<c>@period</c>). SQL Server: UPDATE with HOLDLOCK, then INSERT
    /// when nothing matched (the range lock keeps a concurrent writer from inserting the same key).
    /// </summary>
    public string UpsertAdd(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> otherColumns, string addColumn)
    {
        var columns = keyColumns.Concat(otherColumns).Append(addColumn).ToArray();
        var insert = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})";
        if (IsSqlite)
        {
            return $"{insert} ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {addColumn} = {addColumn} + excluded.{addColumn}";
        }
        var where = string.Join(" AND ", keyColumns.Select(c => $"{c} = @{c}"));
        return $"UPDATE {table} WITH (UPDLOCK, HOLDLOCK) SET {addColumn} = {addColumn} + @{addColumn} WHERE {where}; IF @@ROWCOUNT = 0 {insert};";
    }

    /// <summary>True when the exception is a unique or primary-key violation.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode == 19 && e.SqliteExtendedErrorCode is 2067 or 1555,
        SqlException e => e.Number is 2627 or 2601,
        _ => false,
    };
}
