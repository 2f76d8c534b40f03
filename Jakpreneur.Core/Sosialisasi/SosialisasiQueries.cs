using System.Data.Common;
using Dapper;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;

namespace Jakpreneur.Core.Sosialisasi;

/// <summary>
/// Campaigns, the obligation of every kelurahan they cover, and the reports that discharge
/// them. Counts are cast to BIGINT so both providers hand Dapper the same column types.
/// </summary>
public sealed class SosialisasiQueries(Db db, TimeProvider time, RegionDirectory regions)
{
    private const string CampaignColumns = """
        code AS Code, title AS Title, period AS Period, due_date AS DueDate, material_url AS MaterialUrl,
        created_at AS CreatedAt, created_by AS CreatedBy, updated_at AS UpdatedAt
        """;

    private const string KotaTally = """
        SELECT k.campaign AS Campaign, k.kota AS Kota,
               CAST(COUNT(o.id) AS BIGINT) AS Kelurahan,
               CAST(COUNT(o.first_reported_at) AS BIGINT) AS Reported
        FROM sosialisasi_campaign_kota k
        LEFT JOIN sosialisasi_obligations o ON o.campaign = k.campaign AND o.kota = k.kota
        """;

    private const string ObligationFilter = """
        campaign = @Campaign
        AND (@Kota IS NULL OR kota = @Kota)
        AND (@Kecamatan IS NULL OR kecamatan = @Kecamatan)
        AND (@Kelurahan IS NULL OR kelurahan = @Kelurahan)
        """;

    public async Task<CampaignDetail?> FindAsync(string code, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.Dialect.BeginReadAsync(connection, ct);
        var campaign = await connection.QuerySingleOrDefaultAsync<SosialisasiCampaign>(new CommandDefinition(
            $"SELECT {CampaignColumns} FROM sosialisasi_campaigns WHERE code = @code", new { code }, tx, cancellationToken: ct));
        if (campaign is null)
        {
            return null;
        }
        var kota = await connection.QueryAsync<CampaignKota>(new CommandDefinition(
            $"{KotaTally} WHERE k.campaign = @code GROUP BY k.campaign, k.kota ORDER BY k.kota", new { code }, tx, cancellationToken: ct));
        return new CampaignDetail(campaign, kota.AsList());
    }

    /// <summary>Every campaign, newest due date first; <paramref name="kota"/> keeps those covering it.</summary>
    public async Task<IReadOnlyList<CampaignDetail>> ListAsync(string? kota, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.Dialect.BeginReadAsync(connection, ct);
        var campaigns = await connection.QueryAsync<SosialisasiCampaign>(new CommandDefinition(
            $"""
             SELECT {CampaignColumns} FROM sosialisasi_campaigns c
             WHERE @kota IS NULL OR EXISTS (SELECT 1 FROM sosialisasi_campaign_kota k WHERE k.campaign = c.code AND k.kota = @kota)
             ORDER BY due_date DESC, code
             """, new { kota }, tx, cancellationToken: ct));
        var tallies = (await connection.QueryAsync<CampaignKota>(new CommandDefinition(
                $"{KotaTally} GROUP BY k.campaign, k.kota ORDER BY k.campaign, k.kota", transaction: tx, cancellationToken: ct)))
            .ToLookup(t => t.Campaign, StringComparer.Ordinal);
        return campaigns.Select(c => new CampaignDetail(c, tallies[c.Code].ToList())).ToList();
    }

    /// <summary>
    /// Creates the campaign, its kota and one obligation per kelurahan of those kota, with the
    /// audit row, in one transaction. Null when the code is taken (the primary key decides).
    /// </summary>
    public async Task<CampaignDetail?> CreateAsync(NewCampaign request, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var campaign = new SosialisasiCampaign(request.Code, request.Title, request.Period, request.DueDate, request.MaterialUrl, now, actor.KeyId, now);
        var obligations = request.Kota
            .SelectMany(k => regions.KelurahanUnder(k.Code))
            .Select(k => new { Campaign = campaign.Code, Kota = k.KotaCode, Kecamatan = k.KecamatanCode, Kelurahan = k.Code })
            .ToList();
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO sosialisasi_campaigns (code, title, period, due_date, material_url, created_at, created_by, updated_at)
                VALUES (@Code, @Title, @Period, @DueDate, @MaterialUrl, @CreatedAt, @CreatedBy, @UpdatedAt)
                """, campaign, tx, cancellationToken: ct));
        }
        catch (DbException e) when (SqlDialect.IsUniqueViolation(e))
        {
            await tx.RollbackAsync(ct);
            return null;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sosialisasi_campaign_kota (campaign, kota) VALUES (@Campaign, @Kota)",
            request.Kota.Select(k => new { Campaign = campaign.Code, Kota = k.Code }), tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO sosialisasi_obligations (campaign, kota, kecamatan, kelurahan, first_reported_at, report_count)
            VALUES (@Campaign, @Kota, @Kecamatan, @Kelurahan, NULL, 0)
            """, obligations, tx, cancellationToken: ct));
        var kota = request.Kota
            .Select(k => new CampaignKota(campaign.Code, k.Code, obligations.Count(o => o.Kota == k.Code), 0))
            .OrderBy(k => k.Kota, StringComparer.Ordinal)
            .ToList();
        // A campaign of one kota is that kota office's record; one spanning several is province-wide.
        await AuditWriter.WriteAsync(connection, tx, actor, "create", AuditEntities.Campaign, campaign.Code,
            kota.Count == 1 ? kota[0].Kota : null, null,
            new { campaign, kota = kota.Select(k => k.Kota), kelurahan = obligations.Count }, ct);
        await tx.CommitAsync(ct);
        return new CampaignDetail(campaign, kota);
    }

    /// <summary>Moves the due date; statuses follow at the next read. Null when the campaign does not exist.</summary>
    public async Task<SosialisasiCampaign?> SetDueDateAsync(string code, DateOnly dueDate, Actor actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleOrDefaultAsync<SosialisasiCampaign>(new CommandDefinition(
            $"SELECT {CampaignColumns} FROM sosialisasi_campaigns {db.Dialect.ForUpdate} WHERE code = @code", new { code }, tx, cancellationToken: ct));
        if (before is null)
        {
            return null;
        }
        var after = before with { DueDate = dueDate, UpdatedAt = time.GetUtcNow() };
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sosialisasi_campaigns SET due_date = @DueDate, updated_at = @UpdatedAt WHERE code = @Code",
            after, tx, cancellationToken: ct));
        var kota = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT kota FROM sosialisasi_campaign_kota WHERE campaign = @code", new { code }, tx, cancellationToken: ct))).AsList();
        await AuditWriter.WriteAsync(connection, tx, actor, "update", AuditEntities.Campaign, code,
            kota.Count == 1 ? kota[0] : null, before, after, ct);
        await tx.CommitAsync(ct);
        return after;
    }

    /// <summary>
    /// Stores a report and updates its obligation (first report time only while unset, and the
    /// count) with the audit row, in one transaction. Null when the kelurahan owes nothing in
    /// this campaign (or the campaign does not exist).
    /// </summary>
    public Task<ReportOutcome?> AddReportAsync(string campaign, NewReport report, Actor actor, CancellationToken ct) =>
        AddReportAsync(campaign, report, actor, recordedAt: null, ct);

    /// <param name="recordedAt">Null: now. The demo seed passes past instants.</param>
    internal async Task<ReportOutcome?> AddReportAsync(string campaign, NewReport report, Actor actor, DateTimeOffset? recordedAt, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The lock on the obligation row orders concurrent reports of one kelurahan (SQLite's
        // BEGIN IMMEDIATE already serialises writers), so the clock is read after taking it.
        var obligation = await connection.QuerySingleOrDefaultAsync<ObligationRow>(new CommandDefinition(
            $"""
             SELECT id AS Id, kota AS Kota, kecamatan AS Kecamatan
             FROM sosialisasi_obligations {db.Dialect.ForUpdate}
             WHERE campaign = @campaign AND kelurahan = @kelurahan
             """, new { campaign, kelurahan = report.Kelurahan.Code }, tx, cancellationToken: ct));
        if (obligation is null)
        {
            return null;
        }
        var dueDate = await connection.QuerySingleAsync<DueDateRow>(new CommandDefinition(
            "SELECT due_date AS DueDate FROM sosialisasi_campaigns WHERE code = @campaign", new { campaign }, tx, cancellationToken: ct));
        var stored = new StoredReport(
            0, campaign, obligation.Kota, obligation.Kecamatan, report.Kelurahan.Code, report.Channel, report.Url,
            report.PublishedOn, report.Reach, report.Note, recordedAt ?? time.GetUtcNow(), actor.KeyId);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
             INSERT INTO sosialisasi_reports (obligation_id, campaign, kelurahan, channel, url, published_on, reach, note, recorded_at, key_id)
             {db.Dialect.OutputId}
             VALUES (@ObligationId, @Campaign, @Kelurahan, @Channel, @Url, @PublishedOn, @Reach, @Note, @RecordedAt, @KeyId)
             {db.Dialect.ReturningId}
             """,
            new
            {
                ObligationId = obligation.Id,
                stored.Campaign,
                stored.Kelurahan,
                stored.Channel,
                stored.Url,
                stored.PublishedOn,
                stored.Reach,
                stored.Note,
                stored.RecordedAt,
                stored.KeyId,
            }, tx, cancellationToken: ct));
        stored = stored with { Id = id };
        // Conditional on NULL: only the first report of a kelurahan sets the time that decides on time / late.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE sosialisasi_obligations SET first_reported_at = @RecordedAt WHERE id = @Id AND first_reported_at IS NULL;
            UPDATE sosialisasi_obligations SET report_count = report_count + 1 WHERE id = @Id;
            """, new { obligation.Id, stored.RecordedAt }, tx, cancellationToken: ct));
        var progress = await connection.QuerySingleAsync<ProgressRow>(new CommandDefinition(
            "SELECT first_reported_at AS FirstReportedAt, CAST(report_count AS BIGINT) AS Reports FROM sosialisasi_obligations WHERE id = @Id",
            new { obligation.Id }, tx, cancellationToken: ct));
        await AuditWriter.WriteAsync(connection, tx, actor, "create", AuditEntities.Report, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            obligation.Kota, null, stored, ct);
        await tx.CommitAsync(ct);
        return new ReportOutcome(stored, ObligationStatus.Of(progress.FirstReportedAt, dueDate.DueDate), progress.FirstReportedAt, progress.Reports);
    }

    /// <summary>
    /// Totals per kecamatan (GROUP BY) and the kelurahan rows they sum, read from one snapshot
    /// and never cached. Null when the campaign does not exist.
    /// </summary>
    public async Task<CampaignStatus?> StatusAsync(string code, StatusFilter filter, CancellationToken ct)
    {
        var asOf = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.Dialect.BeginReadAsync(connection, ct);
        var campaign = await connection.QuerySingleOrDefaultAsync<SosialisasiCampaign>(new CommandDefinition(
            $"SELECT {CampaignColumns} FROM sosialisasi_campaigns WHERE code = @code", new { code }, tx, cancellationToken: ct));
        if (campaign is null)
        {
            return null;
        }
        var args = new
        {
            Campaign = code,
            filter.Kota,
            filter.Kecamatan,
            filter.Kelurahan,
            LateFrom = ObligationStatus.LateFrom(campaign.DueDate),
        };
        // Instants are fixed-width UTC text, so text order is time order on both providers.
        var kecamatan = await connection.QueryAsync<KecamatanTally>(new CommandDefinition(
            $"""
             SELECT kecamatan AS Code,
                    CAST(COUNT(*) AS BIGINT) AS Kelurahan,
                    CAST(COUNT(first_reported_at) AS BIGINT) AS Reported,
                    CAST(SUM(CASE WHEN first_reported_at < @LateFrom THEN 1 ELSE 0 END) AS BIGINT) AS OnTime
             FROM sosialisasi_obligations
             WHERE {ObligationFilter}
             GROUP BY kecamatan
             ORDER BY kecamatan
             """, args, tx, cancellationToken: ct));
        var kelurahan = await connection.QueryAsync<KelurahanState>(new CommandDefinition(
            $"""
             SELECT kelurahan AS Code, kecamatan AS Kecamatan, kota AS Kota,
                    CASE WHEN first_reported_at IS NULL THEN '{ObligationStatus.Pending}'
                         WHEN first_reported_at < @LateFrom THEN '{ObligationStatus.OnTime}'
                         ELSE '{ObligationStatus.Late}' END AS Status,
                    first_reported_at AS FirstReportedAt,
                    CAST(report_count AS BIGINT) AS Reports
             FROM sosialisasi_obligations
             WHERE {ObligationFilter}
             ORDER BY kelurahan
             """, args, tx, cancellationToken: ct));
        return new CampaignStatus(campaign, asOf, kecamatan.AsList(), kelurahan.AsList());
    }

    private sealed record ObligationRow(long Id, string Kota, string Kecamatan);

    private sealed record DueDateRow(DateOnly DueDate);

    private sealed record ProgressRow(DateTimeOffset FirstReportedAt, long Reports);
}

public static class AuditEntities
{
    public const string Campaign = "sosialisasi-campaign";
    public const string Report = "sosialisasi-report";
}
