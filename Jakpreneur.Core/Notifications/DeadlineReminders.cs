using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Contacts;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jakpreneur.Core.Notifications;

/// <summary>
/// Reminder stages relative to a campaign's due date (WIB calendar days): H-7, H-3, H-1, H, then
/// overdue-1 and weekly after (overdue-7, overdue-14, ...). Any other day has no stage.
/// </summary>
public static class ReminderStage
{
    public static string? For(DateOnly dueDate, DateOnly today)
    {
        var daysLeft = dueDate.DayNumber - today.DayNumber;
        return daysLeft switch
        {
            7 or 3 or 1 => $"H-{daysLeft}",
            0 => "H",
            -1 => "overdue-1",
            < 0 when -daysLeft % 7 == 0 => $"overdue-{-daysLeft}",
            _ => null,
        };
    }

    public static bool IsOverdue(string stage) => stage.StartsWith("overdue-", StringComparison.Ordinal);
}

public sealed record ReminderRunResult(int Campaigns, int Kelurahan, int Notifications)
{
    public override string ToString() => $"{Notifications} notifications queued for {Kelurahan} pending kelurahan in {Campaigns} campaigns";
}

/// <summary>
/// The <c>deadline-reminders</c> job body. For every campaign whose stage is today, and every
/// kelurahan that has not reported, records (campaign, kelurahan, due date, stage) in
/// <c>reminder_log</c> and queues ONE digest per recipient in the same transaction: the
/// kelurahan's own contact, and from overdue-1 on also the camat and the kota economy office,
/// each listing all of their pending kelurahan. The primary key of <c>reminder_log</c> makes each
/// stage queued once however many runs or workers race. A stage whose day passed while the
/// scheduler was down is skipped, not sent late: its text would state the wrong days left, and
/// the next stage follows within days.
/// </summary>
public sealed class DeadlineReminderService(
    Db db, RegionDirectory regions, TimeProvider time, IOptions<NotificationOptions> options, ILogger<DeadlineReminderService> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record CampaignRow(string Code, string Title, DateOnly DueDate);

    private sealed record PendingRow(string Kota, string Kecamatan, string Kelurahan);

    public async Task<ReminderRunResult> RunAsync(CancellationToken ct)
    {
        var today = Wib.Today(time);
        IReadOnlyList<CampaignRow> campaigns;
        await using (var connection = await db.OpenAsync(ct))
        {
            campaigns = (await connection.QueryAsync<CampaignRow>(new CommandDefinition(
                "SELECT code AS Code, title AS Title, due_date AS DueDate FROM sosialisasi_campaigns ORDER BY code",
                cancellationToken: ct))).AsList();
        }

        int campaignCount = 0, kelurahanCount = 0, notificationCount = 0;
        foreach (var campaign in campaigns)
        {
            if (ReminderStage.For(campaign.DueDate, today) is not { } stage)
            {
                continue;
            }
            var (kelurahan, queued) = await QueueCampaignAsync(campaign, stage, today, ct);
            if (kelurahan > 0)
            {
                campaignCount++;
                kelurahanCount += kelurahan;
                notificationCount += queued;
                logger.LogInformation("Reminders {Stage} for campaign {Campaign}: {Kelurahan} pending kelurahan, {Notifications} digests queued",
                    stage, campaign.Code, kelurahan, queued);
            }
        }
        return new ReminderRunResult(campaignCount, kelurahanCount, notificationCount);
    }

    private async Task<(int Kelurahan, int Notifications)> QueueCampaignAsync(CampaignRow campaign, string stage, DateOnly today, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryQueueCampaignAsync(campaign, stage, today, ct);
            }
            catch (Exception e) when (SqlDialect.IsUniqueViolation(e) && attempt < 3)
            {
                // Another worker queued this stage between our read and our insert; the retry sees its rows and skips them.
                logger.LogInformation("Reminder {Stage} for {Campaign} raced with another worker; re-reading", stage, campaign.Code);
            }
        }
    }

    private async Task<(int Kelurahan, int Notifications)> TryQueueCampaignAsync(CampaignRow campaign, string stage, DateOnly today, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        using var turn = await db.WaitToWriteAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var pending = (await connection.QueryAsync<PendingRow>(new CommandDefinition(
            $"""
             SELECT o.kota AS Kota, o.kecamatan AS Kecamatan, o.kelurahan AS Kelurahan
             FROM sosialisasi_obligations o {db.Dialect.ForUpdate}
             WHERE o.campaign = @Code AND o.first_reported_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM reminder_log r
                               WHERE r.campaign = o.campaign AND r.kelurahan = o.kelurahan
                                 AND r.due_date = @DueDate AND r.stage = @stage)
             ORDER BY o.kelurahan
             """, new { campaign.Code, campaign.DueDate, stage }, tx, cancellationToken: ct))).AsList();
        if (pending.Count == 0)
        {
            await tx.CommitAsync(ct);
            return (0, 0);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO reminder_log (campaign, kelurahan, due_date, stage, queued_at)
            VALUES (@Campaign, @Kelurahan, @DueDate, @Stage, @Now)
            """,
            pending.Select(p => new { Campaign = campaign.Code, p.Kelurahan, campaign.DueDate, Stage = stage, Now = now }).ToList(),
            tx, cancellationToken: ct));

        var kotas = pending.Select(p => p.Kota).Distinct().ToList();
        var contacts = (await connection.QueryAsync<Contact>(new CommandDefinition(
                $"SELECT {ContactQueries.Columns} FROM contacts WHERE kota IN @kotas", new { kotas }, tx, cancellationToken: ct)))
            .ToDictionary(c => c.Region, StringComparer.Ordinal);

        var drafts = new List<NotificationDraft>();
        foreach (var p in pending)
        {
            if (contacts.TryGetValue(p.Kelurahan, out var lurah))
            {
                drafts.AddRange(Digest(campaign, stage, today, lurah, [p]));
            }
        }
        if (ReminderStage.IsOverdue(stage))
        {
            foreach (var group in pending.GroupBy(p => p.Kecamatan))
            {
                if (contacts.TryGetValue(group.Key, out var camat))
                {
                    drafts.AddRange(Digest(campaign, stage, today, camat, group.ToList()));
                }
            }
            foreach (var group in pending.GroupBy(p => p.Kota))
            {
                if (contacts.TryGetValue(group.Key, out var office))
                {
                    drafts.AddRange(Digest(campaign, stage, today, office, group.ToList()));
                }
            }
        }
        if (drafts.Count > 0)
        {
            await NotificationQueries.InsertAsync(connection, tx, drafts, now, ct);
        }
        await tx.CommitAsync(ct);
        return (pending.Count, drafts.Count);
    }

    private IEnumerable<NotificationDraft> Digest(CampaignRow campaign, string stage, DateOnly today, Contact contact, IReadOnlyList<PendingRow> pending)
    {
        var daysLeft = campaign.DueDate.DayNumber - today.DayNumber;
        var kelurahan = pending.Select(p => new
        {
            code = p.Kelurahan,
            name = regions.Find(p.Kelurahan)?.Name ?? p.Kelurahan,
            kecamatan = p.Kecamatan,
            kecamatanName = regions.Find(p.Kecamatan)?.Name ?? p.Kecamatan,
        }).ToList();
        var reportPath = $"/api/v1/sosialisasi/campaigns/{Uri.EscapeDataString(campaign.Code)}/reports";
        var when = daysLeft switch
        {
            > 0 => $"{daysLeft} hari lagi",
            0 => "hari ini",
            _ => $"sudah terlambat {-daysLeft} hari",
        };
        var subject = $"Pengingat sosialisasi {campaign.Code}: batas waktu {when}";

        var text = new StringBuilder();
        text.Append("Yth. ").Append(contact.Name).Append(",\n\n");
        text.Append(contact.Level == RegionLevel.Kelurahan
            ? "Kelurahan Anda belum melaporkan sosialisasi kampanye berikut.\n"
            : $"{kelurahan.Count} kelurahan di wilayah Anda belum melaporkan sosialisasi kampanye berikut.\n");
        text.Append("Kampanye: ").Append(campaign.Title).Append(" (").Append(campaign.Code).Append(")\n");
        text.Append("Batas waktu laporan: ").Append(IndonesianDate(campaign.DueDate)).Append(" (").Append(when).Append(")\n\n");
        text.Append("Kelurahan yang belum melapor:\n");
        foreach (var k in kelurahan)
        {
            text.Append("- ").Append(k.name).Append(" (").Append(k.code).Append("), Kecamatan ").Append(k.kecamatanName).Append('\n');
        }
        text.Append("\nCara melapor: kirim bukti sosialisasi (tautan unggahan media sosial, atau catatan untuk kegiatan tatap muka) melalui\n");
        text.Append("POST ").Append(options.Value.Link(reportPath)).Append('\n');
        text.Append("dengan isian kelurahan, channel, url, publishedOn (dan note untuk kegiatan offline).\n\n");
        text.Append("Pesan ini dikirim otomatis oleh Jakpreneur; pengingat berhenti setelah kelurahan melapor.\n");
        var body = text.ToString();

        foreach (var (channel, recipient) in Channels(contact))
        {
            var key = "reminder-" + Hash($"{campaign.Code}|{Iso.Date(campaign.DueDate)}|{stage}|{contact.Region}|{channel}|{string.Join(',', pending.Select(p => p.Kelurahan))}");
            var payload = JsonSerializer.Serialize(new
            {
                type = "sosialisasi.reminder",
                idempotencyKey = key,
                campaign = new { code = campaign.Code, title = campaign.Title, dueDate = campaign.DueDate },
                stage,
                daysLeft,
                recipient = new { region = contact.Region, level = contact.Level, name = contact.Name },
                kelurahan,
                reportEndpoint = options.Value.Link(reportPath),
                subject,
                text = body,
            }, Json);
            yield return new NotificationDraft("reminder", campaign.Code, contact.Region, contact.Kota, stage, channel, recipient, subject, body, payload, key);
        }
    }

    internal static IEnumerable<(string Channel, string Recipient)> Channels(Contact contact)
    {
        if (!string.IsNullOrWhiteSpace(contact.Email))
        {
            yield return (NotificationChannel.Email, contact.Email);
        }
        if (!string.IsNullOrWhiteSpace(contact.WebhookUrl))
        {
            yield return (NotificationChannel.Webhook, contact.WebhookUrl);
        }
    }

    internal static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];

    private static readonly string[] Months =
        ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];

    /// <summary>"15 Desember 2020", without relying on ICU data for id-ID in slim images.</summary>
    public static string IndonesianDate(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{date.Day} {Months[date.Month - 1]} {date.Year}");
}
