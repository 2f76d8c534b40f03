namespace Jakpreneur.Core.Regions;

public static class RegionLevel
{
    public const string Provinsi = "provinsi";
    public const string Kota = "kota";
    public const string Kecamatan = "kecamatan";
    public const string Kelurahan = "kelurahan";

    public static readonly string[] Queryable = [Kota, Kecamatan, Kelurahan];
}

/// <summary>A Kemendagri region. Kabupaten Administrasi Kepulauan Seribu is a <c>kota</c> here.</summary>
/// <param name="KotaCode">Kota of this region (itself for a kota; null for the province).</param>
/// <param name="KecamatanCode">Kecamatan of this region (itself for a kecamatan; null above).</param>
public sealed record Region(string Code, string Name, string Level, string? ParentCode, string? KotaCode = null, string? KecamatanCode = null);
