using Jakpreneur.Core.Regions;

namespace Jakpreneur.Core.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Kota = "kota";
    public const string Sudin = "sudin";
    public const string Kelurahan = "kelurahan";
    public const string Viewer = "viewer";

    public static readonly string[] All = [Admin, Kota, Sudin, Kelurahan, Viewer];
}

/// <summary>
/// The authenticated API key and its scope. Every rule about who may touch which kota, sudin
/// or kelurahan lives here, so endpoints check the resource's own region, not just the route.
/// </summary>
public sealed record Caller(string KeyId, string Name, string Role, string? Kota, string? Sudin, string? Kelurahan)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>
    /// The scope fields match the role (a kota key has its kota, a sudin key its kota and sudin,
    /// a kelurahan key its kelurahan and kota). A key that does not is refused outright, so a
    /// damaged row can never fall through to a wider read scope.
    /// </summary>
    public bool HasConsistentScope => Role switch
    {
        Roles.Admin => Kota is null && Sudin is null && Kelurahan is null,
        Roles.Kota => Kota is not null && Sudin is null && Kelurahan is null,
        Roles.Sudin => Kota is not null && Sudin is not null && Kelurahan is null,
        Roles.Kelurahan => Kota is not null && Sudin is null && Kelurahan is not null,
        Roles.Viewer => Sudin is null && Kelurahan is null,
        _ => false,
    };

    /// <summary>May read figures of this kota (null: province-wide figures).</summary>
    public bool CanRead(string? kota) => Role switch
    {
        Roles.Admin => true,
        Roles.Viewer => Kota is null || Kota == kota,
        // A lurah's key reads only its own sosialisasi status (CanReadKelurahan), not the kota's
        // figures, contacts or outbox: those carry other kelurahan's people and addresses.
        Roles.Kota or Roles.Sudin => kota is not null && Kota == kota,
        _ => false,
    };

    /// <summary>Kota every read must be limited to, or null when the key sees all of DKI.</summary>
    public string? ReadScopeKota => Role == Roles.Admin ? null : Kota;

    /// <summary>Targets, declared totals, campaigns, contacts, reports of a kota.</summary>
    public bool CanManage(string kota) => IsAdmin || (Role == Roles.Kota && Kota == kota);

    /// <summary>The audit trail: admin sees every row, a kota key the rows of its own kota; nobody else.</summary>
    public bool CanReadAudit(string? kota) => IsAdmin || (Role == Roles.Kota && kota is not null && Kota == kota);

    /// <summary>Periods and keys are province-wide: admin only.</summary>
    public bool CanManageProvince => IsAdmin;

    /// <summary>Post an achievement for a kelurahan and sudin.</summary>
    public bool CanWriteAchievement(Region kelurahan, string sudin) =>
        IsAdmin || (Role == Roles.Sudin && Kota == kelurahan.KotaCode && Sudin == sudin);

    /// <summary>Reverse a ledger entry: the kota office for its kota, a sudin for its own entries.</summary>
    public bool CanReverse(string kota, string sudin) =>
        IsAdmin
        || (Role == Roles.Kota && Kota == kota)
        || (Role == Roles.Sudin && Kota == kota && Sudin == sudin);

    /// <summary>Submit a sosialisasi report for a kelurahan: the lurah, or the kota office on its behalf.</summary>
    public bool CanReportSosialisasi(Region kelurahan) =>
        IsAdmin
        || (Role == Roles.Kelurahan && Kelurahan == kelurahan.Code)
        || (Role == Roles.Kota && Kota == kelurahan.KotaCode);

    /// <summary>Read the sosialisasi status of a kelurahan.</summary>
    public bool CanReadKelurahan(Region kelurahan) =>
        Role == Roles.Kelurahan ? Kelurahan == kelurahan.Code : CanRead(kelurahan.KotaCode);
}
