using Dapper;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Rollups;

/// <summary>
/// Reads the aggregates the ledger maintains, never the ledger: at most one running total per
/// (kelurahan, sudin) of the period, each with one primary-key seek into its daily rows after
/// asOf. Today's figures (the default) find no such rows; an old asOf reads more days, still
/// bounded by kelurahan x sudin x days. Running total and tail are read in one statement so they
/// come from the same committed state (on SQL Server, enable READ_COMMITTED_SNAPSHOT for a
/// statement-level snapshot).
/// </summary>
public sealed class RollupQueries(Db db)
{
    public async Task<IReadOnlyList<AggregateCell>> AchievedAsync(string period, string? kota, DateOnly asOf, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<AggregateCell>(new CommandDefinition(
            """
            SELECT t.kota AS Kota, t.kecamatan AS Kecamatan, t.kelurahan AS Kelurahan, t.sudin AS Sudin,
                   t.achieved AS RunningTotal,
                   COALESCE((SELECT SUM(d.achieved) FROM achievement_daily d
                             WHERE d.period = t.period AND d.kelurahan = t.kelurahan AND d.sudin = t.sudin AND d.date > @asOf), 0) AS AfterAsOf
            FROM achievement_totals t
            WHERE t.period = @period
            """ + (kota is null ? "" : " AND t.kota = @kota"), // a plain equality lets the planner use ix_achievement_totals_kota
            new { period, kota, asOf }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<TargetCell>> TargetsAsync(string period, string? kota, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<TargetCell>(new CommandDefinition(
            """
            SELECT kota AS Kota, sudin AS Sudin, target AS Target FROM targets
            WHERE period = @period AND (@kota IS NULL OR kota = @kota)
            """,
            new { period, kota }, cancellationToken: ct));
        return rows.AsList();
    }
}
