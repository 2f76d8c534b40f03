using Jakpreneur.Core.Regions;
using Jakpreneur.Core.Reports;

namespace Jakpreneur.Core.Rollups;

/// <summary>The sudin lines of the kota roll-up, from the ledger's aggregates, for the compiled sosialisasi report.</summary>
public sealed class LedgerKotaRollupSource(RollupQueries rollups, RegionDirectory regions) : IKotaRollupSource
{
    public async Task<IReadOnlyList<KotaRollupRow>> GetAsync(string period, string kota, DateOnly asOf, CancellationToken ct)
    {
        var region = regions.Find(kota, RegionLevel.Kota);
        if (region is null)
        {
            return [];
        }
        var achieved = await rollups.AchievedAsync(period, kota, asOf, ct);
        var targets = await rollups.TargetsAsync(period, kota, ct);
        var rollup = RollupMath.Kota(period, asOf, region, regions, targets, achieved.Select(a => a.AsOf()), null, null);
        return rollup.Sudin.Select(s => new KotaRollupRow(s.Sudin, s.Name, s.Target, s.Achieved, s.Percent, s.Remaining)).ToList();
    }
}
