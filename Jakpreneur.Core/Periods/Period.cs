using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Periods;

/// <summary>A programme year: the window achievements are dated in and the deadline for targets.</summary>
public sealed record Period(
    string Code, string Name, DateOnly StartDate, DateOnly EndDate, DateOnly TargetDeadline,
    DateTimeOffset CreatedAt = default, DateTimeOffset UpdatedAt = default)
{
    public bool Contains(DateOnly date) => date >= StartDate && date <= EndDate;
}

public sealed class PeriodQueries(Db db, TimeProvider time)
{
    private const string Columns = """
        code AS Code, name AS Name, start_date AS StartDate, end_date AS EndDate,
        target_deadline AS TargetDeadline, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<Period?> FindAsync(string code, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Period>(new CommandDefinition(
            $"SELECT {Columns} FROM periods WHERE code = @code", new { code }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Period>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Period>(new CommandDefinition(
            $"SELECT {Columns} FROM periods ORDER BY start_date DESC, code", cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Creates or replaces a period; returns the stored row and whether it is new.</summary>
    public async Task<(Period Period, bool Created)> UpsertAsync(Period period, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleOrDefaultAsync<Period>(new CommandDefinition(
            $"SELECT {Columns} FROM periods {db.Dialect.ForUpdate} WHERE code = @Code", new { period.Code }, tx, cancellationToken: ct));
        var stored = period with { CreatedAt = before?.CreatedAt ?? now, UpdatedAt = now };
        await connection.ExecuteAsync(new CommandDefinition(
            before is null
                ? """
                  INSERT INTO periods (code, name, start_date, end_date, target_deadline, created_at, updated_at)
                  VALUES (@Code, @Name, @StartDate, @EndDate, @TargetDeadline, @CreatedAt, @UpdatedAt)
                  """
                : """
                  UPDATE periods SET name = @Name, start_date = @StartDate, end_date = @EndDate,
                         target_deadline = @TargetDeadline, updated_at = @UpdatedAt
                  WHERE code = @Code
                  """,
            stored, tx, cancellationToken: ct));
        await AuditWriter.WriteAsync(connection, tx, actor, before is null ? "create" : "update", "period", period.Code, null, before, stored, ct);
        await tx.CommitAsync(ct);
        return (stored, before is null);
    }
}
