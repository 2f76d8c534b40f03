using System.Collections.Frozen;
using Dapper;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Regions;

/// <summary>
/// The region tree, read once from the database after seeding. Regions change only with a
/// Kemendagri decree (a new seed), so every request resolves codes from memory.
/// </summary>
public sealed class RegionDirectory
{
    private readonly FrozenDictionary<string, Region> _byCode;
    private readonly FrozenDictionary<string, Region[]> _children;

    public RegionDirectory(IEnumerable<Region> regions)
    {
        var all = regions.OrderBy(r => r.Code, StringComparer.Ordinal).ToArray();
        _byCode = all.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);
        _children = all.Where(r => r.ParentCode is not null)
            .GroupBy(r => r.ParentCode!, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        All = all.Where(r => r.Level != RegionLevel.Provinsi).ToArray();
        Kota = all.Where(r => r.Level == RegionLevel.Kota).ToArray();
    }

    /// <summary>Every kota, kecamatan and kelurahan, ordered by code.</summary>
    public IReadOnlyList<Region> All { get; }

    public IReadOnlyList<Region> Kota { get; }

    public static async Task<RegionDirectory> LoadAsync(Db db, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Region>(new CommandDefinition(
            """
            SELECT code AS Code, name AS Name, level AS Level, parent_code AS ParentCode,
                   kota_code AS KotaCode, kecamatan_code AS KecamatanCode
            FROM regions
            """, cancellationToken: ct));
        return new RegionDirectory(rows);
    }

    public Region? Find(string? code) =>
        code is not null && _byCode.TryGetValue(code, out var region) ? region : null;

    public Region? Find(string? code, string level) =>
        Find(code) is { } region && region.Level == level ? region : null;

    public IReadOnlyList<Region> Children(string code) =>
        _children.TryGetValue(code, out var children) ? children : [];

    /// <summary>The kelurahan under a kota or kecamatan (or the kelurahan itself).</summary>
    public IEnumerable<Region> KelurahanUnder(string code) => Find(code) switch
    {
        null => [],
        { Level: RegionLevel.Kelurahan } k => [k],
        { Level: RegionLevel.Kecamatan } k => Children(k.Code),
        { } r => Children(r.Code).SelectMany(c => KelurahanUnder(c.Code)),
    };
}
