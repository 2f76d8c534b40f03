using System.Collections.Frozen;

namespace Jakpreneur.Core.Regions;

/// <summary>A city-level agency (suku dinas) that owns part of the walikota's target.</summary>
public sealed record Sudin(string Code, string Name)
{
    /// <summary>The seven fixed sudin codes, in the order the walikota offices report them.</summary>
    public static readonly IReadOnlyList<Sudin> All =
    [
        new("PAREKRAF", "Suku Dinas Pariwisata dan Ekonomi Kreatif"),
        new("NAKERTRANSGI", "Suku Dinas Tenaga Kerja, Transmigrasi dan Energi"),
        new("PPKUKM-UKM", "Suku Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah (UKM)"),
        new("PPKUKM-IKM", "Suku Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah (IKM)"),
        new("SOSIAL", "Suku Dinas Sosial"),
        new("PPAPP", "Suku Dinas Pemberdayaan, Perlindungan Anak dan Pengendalian Penduduk"),
        new("KPKP", "Suku Dinas Ketahanan Pangan, Kelautan dan Pertanian"),
    ];

    private static readonly FrozenDictionary<string, Sudin> ByCode =
        All.ToFrozenDictionary(s => s.Code, StringComparer.Ordinal);

    public static Sudin? Find(string? code) =>
        code is not null && ByCode.TryGetValue(code, out var sudin) ? sudin : null;
}
