using Dapper;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Jobs;

/// <summary>
/// Writes sosialisasi campaigns, obligations and reports straight into their tables (the HTTP
/// endpoints belong to the sosialisasi feature), the way those endpoints store them.
/// </summary>
public sealed class Sosialisasi(IServiceProvider services)
{
    private Db Db => services.GetRequiredService<Db>();

    private RegionDirectory Regions => services.GetRequiredService<RegionDirectory>();

    public async Task CampaignAsync(string code, DateOnly dueDate, string? period, params string[] kelurahan)
    {
        var now = Iso.Instant(DateTimeOffset.UtcNow);
        var regions = kelurahan.Select(k => Regions.Find(k, RegionLevel.Kelurahan) ?? throw new ArgumentException($"not a kelurahan: {k}")).ToList();
        await using var connection = await Db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO sosialisasi_campaigns (code, title, period, due_date, material_url, created_at, created_by, updated_at)
            VALUES (@code, @title, @period, @dueDate, NULL, @now, 'test', @now)
            """, new { code, title = $"Sosialisasi Jakpreneur {code}", period, dueDate, now }, tx);
        foreach (var kota in regions.Select(r => r.KotaCode).Distinct())
        {
            await connection.ExecuteAsync("INSERT INTO sosialisasi_campaign_kota (campaign, kota) VALUES (@code, @kota)", new { code, kota }, tx);
        }
        await connection.ExecuteAsync(
            """
            INSERT INTO sosialisasi_obligations (campaign, kota, kecamatan, kelurahan, first_reported_at, report_count)
            VALUES (@Campaign, @Kota, @Kecamatan, @Kelurahan, NULL, 0)
            """, regions.Select(r => new { Campaign = code, Kota = r.KotaCode, Kecamatan = r.KecamatanCode, Kelurahan = r.Code }).ToList(), tx);
        await tx.CommitAsync();
    }

    public async Task ReportAsync(string campaign, string kelurahan, string channel, string? url, DateTimeOffset recordedAt, string? note = null)
    {
        await using var connection = await Db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var obligation = await connection.ExecuteScalarAsync<long>(
            "SELECT id FROM sosialisasi_obligations WHERE campaign = @campaign AND kelurahan = @kelurahan", new { campaign, kelurahan }, tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO sosialisasi_reports (obligation_id, campaign, kelurahan, channel, url, published_on, reach, note, recorded_at, key_id)
            VALUES (@obligation, @campaign, @kelurahan, @channel, @url, @publishedOn, NULL, @note, @recordedAt, 'test')
            """,
            new { obligation, campaign, kelurahan, channel, url, publishedOn = Core.Common.Wib.DateOf(recordedAt), note, recordedAt }, tx);
        await connection.ExecuteAsync(
            """
            UPDATE sosialisasi_obligations
            SET first_reported_at = COALESCE(first_reported_at, @recordedAt), report_count = report_count + 1
            WHERE id = @obligation
            """, new { obligation, recordedAt }, tx);
        await tx.CommitAsync();
    }
}
