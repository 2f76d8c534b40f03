using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Contacts;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Notifications;
using Jakpreneur.Core.Regions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jakpreneur.Core.Reports;

public static class ReportStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>One sudin's line of the kota's target-vs-achievement roll-up.</summary>
public sealed record KotaRollupRow(string Sudin, string Name, long Target, long Achieved, decimal? Percent, long Remaining);

/// <summary>The kota roll-up the report includes; the ledger's roll-ups provide it (Rollups/LedgerKotaRollupSource).</summary>
public interface IKotaRollupSource
{
    Task<IReadOnlyList<KotaRollupRow>> GetAsync(string period, string kota, DateOnly asOf, CancellationToken ct);
}

public sealed class ReportOptions
{
    /// <summary>The daily job compiles a campaign's reports until this many days after its due date.</summary>
    public int DaysAfterDue { get; set; } = 14;

    /// <summary>A report left <c>running</c> this long (its worker died) is compiled again.</summary>
    public int StaleMinutes { get; set; } = 15;
}

public sealed record ReportStatusTotals(int Kelurahan, int Reported, int OnTime, int Late, int Pending);

public sealed record ReportCampaign(string Code, string Title, DateOnly DueDate, string? Period);

public sealed record ReportRegion(string Code, string Name);

public sealed record ReportKecamatan(string Code, string Name, int Kelurahan, int Reported, int OnTime, int Late, int Pending);

public sealed record ReportKelurahan(
    string Code, string Name, string Kecamatan, string KecamatanName, string Status, DateTimeOffset? FirstReportedAt,
    DateOnly? FirstReportDate, long Reports, IReadOnlyList<string> Channels, IReadOnlyList<string> Evidence);

public sealed record RollupTotal(long Target, long Achieved, decimal? Percent, long Remaining);

public sealed record ReportRollup(string? Period, DateOnly AsOf, IReadOnlyList<KotaRollupRow> Sudin, RollupTotal Total);

/// <summary>The immutable snapshot a report stores: everything the kota office is owed for one campaign.</summary>
public sealed record ReportContent(
    ReportCampaign Campaign, ReportRegion Kota, DateOnly AsOf, DateTimeOffset GeneratedAt, ReportStatusTotals Totals,
    IReadOnlyList<ReportKecamatan> Kecamatan, IReadOnlyList<ReportKelurahan> Kelurahan, ReportRollup Rollup);

public sealed record ReportSummary(ReportStatusTotals Totals, RollupTotal Rollup);

public sealed record Report(
    long Id, string Status, string Campaign, string Kota, string? DailyDate, string? RequestedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? Summary, string? Content, string? Error);

public sealed class ReportQueries(Db db, TimeProvider time)
{
    internal const string Columns = """
        id AS Id, status AS Status, campaign AS Campaign, kota AS Kota, daily_date AS DailyDate, requested_by AS RequestedBy,
        created_at AS CreatedAt, started_at AS StartedAt, completed_at AS CompletedAt, summary AS Summary, content AS Content, error AS Error
        """;

    public async Task<Report?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Report>(new CommandDefinition(
            $"SELECT {Columns} FROM reports WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Kota a campaign covers (empty when the campaign does not exist).</summary>
    public async Task<IReadOnlyList<string>> CampaignKotaAsync(string campaign, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT kota FROM sosialisasi_campaign_kota WHERE campaign = @campaign ORDER BY kota", new { campaign }, cancellationToken: ct))).AsList();
    }

    public async Task<bool> CampaignExistsAsync(string campaign, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sosialisasi_campaigns WHERE code = @campaign", new { campaign }, cancellationToken: ct)) > 0;
    }

    /// <summary>Queues a report; a daily report (with <paramref name="dailyDate"/>) is queued once per day, else null.</summary>
    public async Task<long?> QueueAsync(string campaign, string kota, string? requestedBy, DateOnly? dailyDate, Audit.Actor? actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"""
                 INSERT INTO reports (status, campaign, kota, daily_date, requested_by, created_at) {db.Dialect.OutputId}
                 VALUES ('queued', @campaign, @kota, @daily, @requestedBy, @now) {db.Dialect.ReturningId}
                 """,
                new { campaign, kota, daily = dailyDate is { } d ? Iso.Date(d) : null, requestedBy, now = time.GetUtcNow() },
                tx, cancellationToken: ct));
        }
        catch (Exception e) when (dailyDate is not null && SqlDialect.IsUniqueViolation(e))
        {
            return null;
        }
        if (actor is not null)
        {
            await Audit.AuditWriter.WriteAsync(connection, tx, actor, "create", "report", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                kota, null, new { id, campaign, kota }, ct);
        }
        await tx.CommitAsync(ct);
        return id;
    }
}

/// <summary>Ids of reports to compile now, handed from the API to <see cref="ReportWorker"/>.</summary>
public sealed class ReportQueue
{
    private readonly Channel<long> _channel = Channel.CreateUnbounded<long>();

    public void Enqueue(long id) => _channel.Writer.TryWrite(id);

    public IAsyncEnumerable<long> ReadAllAsync(CancellationToken ct) => _channel.Reader.ReadAllAsync(ct);
}

/// <summary>Compiles reports requested through <c>POST /reports</c> in the background, one at a time.</summary>
public sealed class ReportWorker(ReportQueue queue, SosialisasiReportService reports, ILogger<ReportWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await reports.ProcessAsync(id, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Report {Id} could not be compiled", id);
            }
        }
    }
}

/// <summary>
/// The <c>sosialisasi-reports</c> job body and the compiler behind <c>POST /reports</c>: a snapshot
/// per campaign and kota of every kelurahan's status, first report, channels and evidence, totals
/// per kecamatan, and the kota's target-vs-achievement roll-up for the campaign's period. The kota
/// economy office contact is notified with the download links.
/// </summary>
public sealed class SosialisasiReportService(
    Db db, ReportQueries queries, RegionDirectory regions, IKotaRollupSource rollups, TimeProvider time,
    IOptions<ReportOptions> options, IOptions<NotificationOptions> notificationOptions, ILogger<SosialisasiReportService> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record CampaignRow(string Code, string Title, string? Period, DateOnly DueDate);

    private sealed record ObligationRow(string Kelurahan, string Kecamatan, DateTimeOffset? FirstReportedAt, long ReportCount);

    private sealed record EvidenceRow(string Kelurahan, string Channel, string? Url);

    /// <summary>Daily: queues one report per open campaign and kota (once per day), then compiles every queued report.</summary>
    public async Task<string> RunDailyAsync(CancellationToken ct)
    {
        var today = Wib.Today(time);
        IReadOnlyList<(string Campaign, string Kota)> targets;
        await using (var connection = await db.OpenAsync(ct))
        {
            targets = (await connection.QueryAsync<(string, string)>(new CommandDefinition(
                """
                SELECT c.code, k.kota FROM sosialisasi_campaigns c
                JOIN sosialisasi_campaign_kota k ON k.campaign = c.code
                WHERE c.due_date >= @since
                ORDER BY c.code, k.kota
                """, new { since = today.AddDays(-options.Value.DaysAfterDue) }, cancellationToken: ct))).AsList();
        }
        foreach (var (campaign, kota) in targets)
        {
            await queries.QueueAsync(campaign, kota, "sosialisasi-reports", today, null, ct);
        }
        var compiled = 0;
        foreach (var id in await PendingIdsAsync(ct))
        {
            if (await ProcessAsync(id, ct))
            {
                compiled++;
            }
        }
        return $"{compiled} reports compiled";
    }

    private async Task<IReadOnlyList<long>> PendingIdsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM reports WHERE status = 'queued' OR (status = 'running' AND started_at < @stale) ORDER BY id",
            new { stale = time.GetUtcNow().AddMinutes(-options.Value.StaleMinutes) }, cancellationToken: ct))).AsList();
    }

    /// <summary>Claims a queued report and compiles it; false when another worker has it or it is finished.</summary>
    public async Task<bool> ProcessAsync(long id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        Report? report;
        await using (var connection = await db.OpenAsync(ct))
        {
            var claimed = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE reports SET status = 'running', started_at = @now
                WHERE id = @id AND (status = 'queued' OR (status = 'running' AND started_at < @stale))
                """, new { id, now, stale = now.AddMinutes(-options.Value.StaleMinutes) }, cancellationToken: ct));
            if (claimed == 0)
            {
                return false;
            }
            report = await connection.QuerySingleAsync<Report>(new CommandDefinition(
                $"SELECT {ReportQueries.Columns} FROM reports WHERE id = @id", new { id }, cancellationToken: ct));
        }
        try
        {
            var content = await CompileAsync(report.Campaign, report.Kota, ct);
            await CompleteAsync(report, content, ct);
            logger.LogInformation("Report {Id} for campaign {Campaign}, kota {Kota} compiled", id, report.Campaign, report.Kota);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Report {Id} failed", id);
            await using var connection = await db.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE reports SET status = 'failed', completed_at = @now, error = @error WHERE id = @id AND status = 'running'",
                new { id, now = time.GetUtcNow(), error = e.Message.Length > 1900 ? e.Message[..1900] : e.Message }));
            return false;
        }
    }

    public async Task<ReportContent> CompileAsync(string campaignCode, string kota, CancellationToken ct)
    {
        var asOf = Wib.Today(time);
        await using var connection = await db.OpenAsync(ct);
        var campaign = await connection.QuerySingleAsync<CampaignRow>(new CommandDefinition(
            "SELECT code AS Code, title AS Title, period AS Period, due_date AS DueDate FROM sosialisasi_campaigns WHERE code = @campaignCode",
            new { campaignCode }, cancellationToken: ct));
        var obligations = (await connection.QueryAsync<ObligationRow>(new CommandDefinition(
            """
            SELECT kelurahan AS Kelurahan, kecamatan AS Kecamatan, first_reported_at AS FirstReportedAt, report_count AS ReportCount
            FROM sosialisasi_obligations WHERE campaign = @campaignCode AND kota = @kota ORDER BY kelurahan
            """, new { campaignCode, kota }, cancellationToken: ct))).AsList();
        var evidence = (await connection.QueryAsync<EvidenceRow>(new CommandDefinition(
                """
                SELECT r.kelurahan AS Kelurahan, r.channel AS Channel, r.url AS Url
                FROM sosialisasi_reports r JOIN sosialisasi_obligations o ON o.id = r.obligation_id
                WHERE o.campaign = @campaignCode AND o.kota = @kota
                ORDER BY r.recorded_at, r.id
                """, new { campaignCode, kota }, cancellationToken: ct)))
            .ToLookup(r => r.Kelurahan, StringComparer.Ordinal);

        var kelurahan = obligations.Select(o =>
        {
            var firstDate = o.FirstReportedAt is { } first ? Wib.DateOf(first) : (DateOnly?)null;
            var status = firstDate is null ? "pending" : firstDate <= campaign.DueDate ? "on_time" : "late";
            var rows = evidence[o.Kelurahan].ToList();
            return new ReportKelurahan(
                o.Kelurahan, regions.Find(o.Kelurahan)?.Name ?? o.Kelurahan, o.Kecamatan, regions.Find(o.Kecamatan)?.Name ?? o.Kecamatan,
                status, o.FirstReportedAt, firstDate, o.ReportCount,
                rows.Select(r => r.Channel).Distinct(StringComparer.Ordinal).ToList(),
                rows.Where(r => !string.IsNullOrEmpty(r.Url)).Select(r => r.Url!).Distinct(StringComparer.Ordinal).ToList());
        }).ToList();
        var kecamatan = kelurahan.GroupBy(k => k.Kecamatan, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var t = Totals(g.ToList());
                return new ReportKecamatan(g.Key, g.First().KecamatanName, t.Kelurahan, t.Reported, t.OnTime, t.Late, t.Pending);
            }).ToList();

        var sudin = campaign.Period is null ? [] : await rollups.GetAsync(campaign.Period, kota, asOf, ct);
        var target = sudin.Sum(s => s.Target);
        var achieved = sudin.Sum(s => s.Achieved);
        var rollup = new ReportRollup(campaign.Period, asOf, sudin,
            new RollupTotal(target, achieved, Percent(achieved, target), Math.Max(target - achieved, 0)));

        return new ReportContent(
            new ReportCampaign(campaign.Code, campaign.Title, campaign.DueDate, campaign.Period),
            new ReportRegion(kota, regions.Find(kota)?.Name ?? kota), asOf, time.GetUtcNow(), Totals(kelurahan), kecamatan, kelurahan, rollup);
    }

    /// <summary>achieved / target × 100, one decimal, half away from zero; null when the target is 0.</summary>
    public static decimal? Percent(long achieved, long target) =>
        target == 0 ? null : Math.Round(achieved * 100m / target, 1, MidpointRounding.AwayFromZero);

    private static ReportStatusTotals Totals(IReadOnlyCollection<ReportKelurahan> rows) => new(
        rows.Count,
        rows.Count(r => r.Status != "pending"),
        rows.Count(r => r.Status == "on_time"),
        rows.Count(r => r.Status == "late"),
        rows.Count(r => r.Status == "pending"));

    private async Task CompleteAsync(Report report, ReportContent content, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var summary = new ReportSummary(content.Totals, content.Rollup.Total);
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE reports SET status = 'done', completed_at = @now, summary = @summary, content = @content, error = NULL
            WHERE id = @Id AND status = 'running'
            """,
            new { now, summary = JsonSerializer.Serialize(summary, Json), content = JsonSerializer.Serialize(content, Json), report.Id },
            tx, cancellationToken: ct));
        if (updated == 0)
        {
            return; // compiled by another worker after this one was presumed dead
        }
        var office = await connection.QuerySingleOrDefaultAsync<Contact>(new CommandDefinition(
            $"SELECT {ContactQueries.Columns} FROM contacts WHERE region = @Kota", new { report.Kota }, tx, cancellationToken: ct));
        if (office is not null)
        {
            await NotificationQueries.InsertAsync(connection, tx, Notify(report, content, office), now, ct);
        }
        await tx.CommitAsync(ct);
    }

    private IEnumerable<NotificationDraft> Notify(Report report, ReportContent content, Contact office)
    {
        var o = notificationOptions.Value;
        var basePath = $"/api/v1/reports/{report.Id}";
        var t = content.Totals;
        var subject = $"Laporan sosialisasi {content.Campaign.Code} - {content.Kota.Name} ({Iso.Date(content.AsOf)})";
        var body =
            $"""
             Yth. {office.Name},

             Laporan sosialisasi kampanye "{content.Campaign.Title}" ({content.Campaign.Code}) untuk {content.Kota.Name}
             per {DeadlineReminderService.IndonesianDate(content.AsOf)} sudah tersedia.
             Batas waktu: {DeadlineReminderService.IndonesianDate(content.Campaign.DueDate)}.
             Kelurahan: {t.Kelurahan}; sudah melapor: {t.Reported} (tepat waktu {t.OnTime}, terlambat {t.Late}); belum melapor: {t.Pending}.

             Unduh laporan:
             - Excel: {o.Link(basePath + "/content.xlsx")}
             - CSV: {o.Link(basePath + "/content.csv")}

             Pesan ini dikirim otomatis oleh Jakpreneur.

             """;
        foreach (var (channel, recipient) in DeadlineReminderService.Channels(office))
        {
            var key = $"report-{report.Id}-{channel}";
            var payload = JsonSerializer.Serialize(new
            {
                type = "sosialisasi.report",
                idempotencyKey = key,
                report = new { id = report.Id, campaign = content.Campaign.Code, kota = content.Kota.Code, asOf = content.AsOf },
                totals = t,
                downloads = new { csv = o.Link(basePath + "/content.csv"), xlsx = o.Link(basePath + "/content.xlsx") },
                subject,
                text = body,
            }, Json);
            yield return new NotificationDraft("report", content.Campaign.Code, office.Region, office.Kota, "report", channel, recipient, subject, body, payload, key);
        }
    }
}
