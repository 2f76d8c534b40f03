using Jakpreneur.Core.Regions;

namespace Jakpreneur.Core.Rollups;

/// <summary>Target against achievement: the four figures every roll-up line shows.</summary>
public sealed record Progress(long Target, long Achieved, decimal? Percent, long Remaining);

public sealed record KotaProgress(string Code, string Name, long Target, long Achieved, decimal? Percent, long Remaining);

public sealed record ProvinceRollup(string Period, DateOnly AsOf, IReadOnlyList<KotaProgress> Kota, Progress Total, string? ScopeKota);

public sealed record KotaRef(string Code, string Name);

public sealed record SudinProgress(string Sudin, string Name, long Target, long Achieved, decimal? Percent, long Remaining);

/// <summary>The walikota's (for Kepulauan Seribu the bupati's) line: the sum of the sudin, reconciled with the announced total.</summary>
public sealed record WalikotaProgress(
    long Target, long Achieved, decimal? Percent, long Remaining, long? DeclaredTotal, long? Discrepancy, string? DeclaredSource);

public sealed record KecamatanAchieved(string Code, string Name, long Achieved, IReadOnlyDictionary<string, long> BySudin);

public sealed record KotaRollup(
    string Period, DateOnly AsOf, KotaRef Kota, IReadOnlyList<SudinProgress> Sudin, WalikotaProgress Walikota,
    IReadOnlyList<KecamatanAchieved> Kecamatan);

public sealed record KelurahanAchieved(string Code, string Name, string Kecamatan, long Achieved, IReadOnlyDictionary<string, long> BySudin);

/// <summary>Achieved (as of the roll-up's date) for one kelurahan and sudin.</summary>
public sealed record AchievedCell(string Kota, string Kecamatan, string Kelurahan, string Sudin, long Achieved);

/// <summary>One running total with the sum of its daily rows dated after the roll-up's asOf.</summary>
public sealed record AggregateCell(string Kota, string Kecamatan, string Kelurahan, string Sudin, long RunningTotal, long AfterAsOf)
{
    /// <summary>
    /// For Dapper: SQLite reports no type for a computed column of an empty result, so constructor
    /// matching fails; with this constructor Dapper sets the properties by name instead.
    /// </summary>
    private AggregateCell()
        : this("", "", "", "", 0, 0)
    {
    }

    public AchievedCell AsOf() => new(Kota, Kecamatan, Kelurahan, Sudin, RollupMath.AsOf(RunningTotal, AfterAsOf));
}

public sealed record TargetCell(string Kota, string Sudin, long Target);

/// <summary>
/// The roll-up arithmetic, as pure functions over aggregate rows: percent to one decimal rounded
/// half away from zero in decimal arithmetic (no binary floating point), null for a zero target;
/// remaining never negative; every sudin, kecamatan and kelurahan listed, with 0 when nothing is recorded.
/// </summary>
public static class RollupMath
{
    public static decimal? Percent(long achieved, long target) =>
        target == 0 ? null : Math.Round(achieved * 100m / target, 1, MidpointRounding.AwayFromZero);

    public static long Remaining(long target, long achieved) => Math.Max(target - achieved, 0);

    public static Progress Progress(long target, long achieved) => new(target, achieved, Percent(achieved, target), Remaining(target, achieved));

    public static long? Discrepancy(long? declaredTotal, long walikotaTarget) => declaredTotal - walikotaTarget;

    /// <summary>
    /// The achieved figure as of a date from a running total and the daily rows after that date.
    /// Subtracting the (usually empty) tail keeps today's and recent roll-ups to one row per cell.
    /// </summary>
    public static long AsOf(long runningTotal, long dailyAfterAsOf) => runningTotal - dailyAfterAsOf;

    public static ProvinceRollup Province(
        string period, DateOnly asOf, IEnumerable<Region> kotas, IEnumerable<TargetCell> targets, IEnumerable<AchievedCell> achieved, string? scopeKota)
    {
        var targetByKota = targets.GroupBy(t => t.Kota).ToDictionary(g => g.Key, g => g.Sum(t => t.Target));
        var achievedByKota = achieved.GroupBy(a => a.Kota).ToDictionary(g => g.Key, g => g.Sum(a => a.Achieved));
        var lines = kotas
            .Where(k => scopeKota is null || k.Code == scopeKota)
            .Select(k =>
            {
                var p = Progress(targetByKota.GetValueOrDefault(k.Code), achievedByKota.GetValueOrDefault(k.Code));
                return new KotaProgress(k.Code, k.Name, p.Target, p.Achieved, p.Percent, p.Remaining);
            })
            .ToList();
        return new ProvinceRollup(period, asOf, lines, Progress(lines.Sum(l => l.Target), lines.Sum(l => l.Achieved)), scopeKota);
    }

    public static KotaRollup Kota(
        string period, DateOnly asOf, Region kota, RegionDirectory regions, IEnumerable<TargetCell> targets, IEnumerable<AchievedCell> achieved,
        long? declaredTotal, string? declaredSource)
    {
        var cells = achieved.Where(a => a.Kota == kota.Code).ToList();
        var targetBySudin = targets.Where(t => t.Kota == kota.Code).ToDictionary(t => t.Sudin, t => t.Target);
        var achievedBySudin = cells.GroupBy(a => a.Sudin).ToDictionary(g => g.Key, g => g.Sum(a => a.Achieved));
        var sudin = Sudin.All.Select(s =>
        {
            var p = Progress(targetBySudin.GetValueOrDefault(s.Code), achievedBySudin.GetValueOrDefault(s.Code));
            return new SudinProgress(s.Code, s.Name, p.Target, p.Achieved, p.Percent, p.Remaining);
        }).ToList();
        var total = Progress(sudin.Sum(s => s.Target), sudin.Sum(s => s.Achieved));
        var walikota = new WalikotaProgress(total.Target, total.Achieved, total.Percent, total.Remaining,
            declaredTotal, Discrepancy(declaredTotal, total.Target), declaredSource);
        var byKecamatan = cells.GroupBy(a => a.Kecamatan).ToDictionary(g => g.Key, g => g.ToList());
        var kecamatan = regions.Children(kota.Code)
            .Where(r => r.Level == RegionLevel.Kecamatan)
            .Select(k =>
            {
                var bySudin = BySudin(byKecamatan.GetValueOrDefault(k.Code) ?? []);
                return new KecamatanAchieved(k.Code, k.Name, bySudin.Values.Sum(), bySudin);
            })
            .ToList();
        return new KotaRollup(period, asOf, new KotaRef(kota.Code, kota.Name), sudin, walikota, kecamatan);
    }

    public static IReadOnlyList<KelurahanAchieved> Kelurahan(IEnumerable<Region> kelurahan, IEnumerable<AchievedCell> achieved)
    {
        var byKelurahan = achieved.GroupBy(a => a.Kelurahan).ToDictionary(g => g.Key, g => g.ToList());
        return kelurahan.Select(k =>
        {
            var bySudin = BySudin(byKelurahan.GetValueOrDefault(k.Code) ?? []);
            return new KelurahanAchieved(k.Code, k.Name, k.KecamatanCode!, bySudin.Values.Sum(), bySudin);
        }).ToList();
    }

    /// <summary>All seven sudin in their fixed order, 0 where nothing is recorded.</summary>
    private static Dictionary<string, long> BySudin(IEnumerable<AchievedCell> cells)
    {
        var sums = cells.GroupBy(c => c.Sudin).ToDictionary(g => g.Key, g => g.Sum(c => c.Achieved));
        return Sudin.All.ToDictionary(s => s.Code, s => sums.GetValueOrDefault(s.Code));
    }
}
