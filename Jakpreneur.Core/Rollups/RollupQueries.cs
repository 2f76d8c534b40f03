using Dapper;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Rollups;

/// <summary>
/// Reads the aggregates the ledger maintains: at most one running total per (kelurahan, sudin) of
/// the period, each with one primary-key seek into its daily rows after asOf. Today's figures (the
/// default) find no such rows; an old asOf reads more days, still bounded by kelurahan x sudin x
/// days. On SQLite the daily rows are folded in the background (Achievements.DailyAggregateFolder),
/// so the ledger rows above the folded mark — a short, recent remainder — are added to them.
/// Everything is read in one statement so it comes from the same committed state (on SQL Server,
/// enable READ_COMMITTED_SNAPSHOT for a statement-level snapshot).
/// </summary>
public sealed class RollupQueries(Db db)
{
    /// <summary>Ledger rows not yet folded into achievement_daily (none on SQL Server, whose progress mark is the largest id).</summary>
    private const string Unfolded = "id > (SELECT last_id FROM aggregate_progress WHERE name = 'achievement_daily')";

    /// <summary>
    /// The period condition on the unfolded ledger rows. With a kota, ix_achievements_period_kota
    /// (period, kota, id) finds exactly that kota's unfolded rows. Without one, SQLite would still
    /// pick that index for "period = ?" and read the whole period's ledger (seconds at 10 million
    /// rows) instead of the short id range above the mark; the unary + keeps it on the id range.
    /// </summary>
    private string UnfoldedPeriod(string? kota) => kota is null && db.Dialect.IsSqlite ? "+period = @period" : "period = @period";

    public async Task<IReadOnlyList<AggregateCell>> AchievedAsync(string period, string? kota, DateOnly asOf, CancellationToken ct)
    {
        // Plain equalities on kota let the planner use ix_achievement_totals_kota and ix_achievements_period_kota.
        var ledgerFilter = kota is null ? "" : " AND kota = @kota";
        var totalsFilter = kota is null ? "" : " AND t.kota = @kota";
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<AggregateCell>(new CommandDefinition(
            $"""
            WITH unfolded AS (
                SELECT kelurahan, sudin, SUM(count) AS achieved FROM achievements
                WHERE {Unfolded} AND {UnfoldedPeriod(kota)} AND date > @asOf{ledgerFilter}
                GROUP BY kelurahan, sudin)
            SELECT t.kota AS Kota, t.kecamatan AS Kecamatan, t.kelurahan AS Kelurahan, t.sudin AS Sudin,
                   t.achieved AS RunningTotal,
                   COALESCE((SELECT SUM(d.achieved) FROM achievement_daily d
                             WHERE d.period = t.period AND d.kelurahan = t.kelurahan AND d.sudin = t.sudin AND d.date > @asOf), 0)
                   + COALESCE(u.achieved, 0) AS AfterAsOf
            FROM achievement_totals t
            LEFT JOIN unfolded u ON u.kelurahan = t.kelurahan AND u.sudin = t.sudin
            WHERE t.period = @period{totalsFilter}
            """,
            new { period, kota, asOf }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// Achieved per kota and sudin as of a date, summed inside the database: the province view
    /// needs no kelurahan detail, so the cells are not carried to the application.
    /// </summary>
    public async Task<IReadOnlyList<AchievedCell>> AchievedByKotaAsync(string period, string? kota, DateOnly asOf, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var filter = kota is null ? "" : " AND kota = @kota";
        var rows = await connection.QueryAsync<KotaSudinSum>(new CommandDefinition(
            $"""
            SELECT kota AS Kota, sudin AS Sudin, SUM(achieved) AS Achieved, 0 AS IsTail
            FROM achievement_totals WHERE period = @period{filter} GROUP BY kota, sudin
            UNION ALL
            SELECT kota AS Kota, sudin AS Sudin, SUM(achieved) AS Achieved, 1 AS IsTail
            FROM achievement_daily WHERE period = @period AND date > @asOf{filter} GROUP BY kota, sudin
            UNION ALL
            SELECT kota AS Kota, sudin AS Sudin, SUM(count) AS Achieved, 1 AS IsTail
            FROM achievements WHERE {Unfolded} AND {UnfoldedPeriod(kota)} AND date > @asOf{filter} GROUP BY kota, sudin
            """,
            new { period, kota, asOf }, cancellationToken: ct));
        return rows
            .GroupBy(r => (r.Kota, r.Sudin))
            .Select(g => new AchievedCell(g.Key.Kota, "", "", g.Key.Sudin,
                RollupMath.AsOf(g.Where(r => r.IsTail == 0).Sum(r => r.Achieved), g.Where(r => r.IsTail == 1).Sum(r => r.Achieved))))
            .ToList();
    }

    /// <summary>
    /// A stamp of everything a roll-up of the period depends on, or null where the provider cannot
    /// give one cheaply. On SQLite writers are serialised, so the highest ledger id only grows in
    /// commit order; target and declared-total versions only grow. Read before the figures, a
    /// stamp can only be paired with figures at least as new, so a cache keyed by it is never stale.
    /// </summary>
    public async Task<string?> StampAsync(string period, CancellationToken ct)
    {
        if (!db.Dialect.IsSqlite)
        {
            return null;
        }
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            """
            SELECT (SELECT COALESCE(MAX(id), 0) FROM achievements) || ':' ||
                   (SELECT COALESCE(SUM(version), 0) FROM targets WHERE period = @period) || ':' ||
                   (SELECT COALESCE(SUM(version), 0) FROM declared_totals WHERE period = @period)
            """,
            new { period }, cancellationToken: ct));
    }

    private sealed record KotaSudinSum(string Kota, string Sudin, long Achieved, long IsTail)
    {
        private KotaSudinSum() : this("", "", 0, 0) { } // see AggregateCell
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
