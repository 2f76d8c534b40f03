using Jakpreneur.Core.Common;
using Jakpreneur.Core.Regions;

namespace Jakpreneur.Core.Sosialisasi;

/// <summary>Where a lurah spread the word: a social-media channel, a website, or an offline meeting.</summary>
public static class SosialisasiChannels
{
    public const string Offline = "offline";

    public static readonly IReadOnlyList<string> All = ["instagram", "facebook", "x", "tiktok", "youtube", "whatsapp", "website", Offline];

    public static bool IsKnown(string? channel) => channel is not null && All.Contains(channel, StringComparer.Ordinal);
}

/// <summary>
/// A kelurahan's standing in a campaign, derived at read time so moving the due date
/// re-evaluates everyone: the FIRST report decides, on time when recorded on or before the
/// due date in WIB.
/// </summary>
public static class ObligationStatus
{
    public const string Pending = "pending";
    public const string OnTime = "on_time";
    public const string Late = "late";

    /// <summary>The first instant that is late: 00:00 WIB the day after the due date.</summary>
    public static DateTimeOffset LateFrom(DateOnly dueDate) => Wib.StartOf(dueDate.AddDays(1));

    public static string Of(DateTimeOffset? firstReportedAt, DateOnly dueDate) =>
        firstReportedAt is not { } first ? Pending
        : first < LateFrom(dueDate) ? OnTime
        : Late;
}

/// <summary>A campaign row: one programme's outreach that every kelurahan of its kota owes by <see cref="DueDate"/>.</summary>
public sealed record SosialisasiCampaign(
    string Code, string Title, string? Period, DateOnly DueDate, string? MaterialUrl,
    DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset UpdatedAt);

/// <summary>One kota a campaign covers, with how many of its kelurahan owe and have reported.</summary>
public sealed record CampaignKota(string Campaign, string Kota, long Kelurahan, long Reported)
{
    // Dapper maps by property through this constructor: SQLite types computed columns of an
    // empty result as BLOB, which matches no positional constructor.
    public CampaignKota() : this("", "", 0, 0) { }
}

public sealed record CampaignDetail(SosialisasiCampaign Campaign, IReadOnlyList<CampaignKota> Kota)
{
    public bool Covers(string? kota) => kota is not null && Kota.Any(k => k.Kota == kota);
}

public sealed record NewCampaign(string Code, string Title, string? Period, IReadOnlyList<Region> Kota, DateOnly DueDate, string? MaterialUrl);

public sealed record NewReport(Region Kelurahan, string Channel, string? Url, DateOnly PublishedOn, long? Reach, string? Note);

public sealed record StoredReport(
    long Id, string Campaign, string Kota, string Kecamatan, string Kelurahan, string Channel, string? Url,
    DateOnly PublishedOn, long? Reach, string? Note, DateTimeOffset RecordedAt, string? KeyId);

/// <summary>A stored report and the standing of its kelurahan right after it.</summary>
public sealed record ReportOutcome(StoredReport Report, string Status, DateTimeOffset FirstReportedAt, long Reports);

/// <summary>Which obligations a status read covers; null parts do not filter.</summary>
public sealed record StatusFilter(string? Kota = null, string? Kecamatan = null, string? Kelurahan = null);

public sealed record KecamatanTally(string Code, long Kelurahan, long Reported, long OnTime)
{
    public KecamatanTally() : this("", 0, 0, 0) { } // see CampaignKota

    public long Late => Reported - OnTime;

    public long Pending => Kelurahan - Reported;
}

public sealed record KelurahanState(string Code, string Kecamatan, string Kota, string Status, DateTimeOffset? FirstReportedAt, long Reports)
{
    public KelurahanState() : this("", "", "", "", null, 0) { } // see CampaignKota
}

public sealed record CampaignStatus(SosialisasiCampaign Campaign, DateTimeOffset AsOf, IReadOnlyList<KecamatanTally> Kecamatan, IReadOnlyList<KelurahanState> Kelurahan);
