using Jakpreneur.Core.Regions;
using Jakpreneur.Core.Rollups;

namespace Jakpreneur.Tests.Rollups;

public sealed class RollupMathTests
{
    private static readonly RegionDirectory Regions = new(Seeder.ReadRegions());

    [TestCase(1, 8, "12.5")]
    [TestCase(1, 2000, "0.1")] // 0.05 rounds away from zero
    [TestCase(3, 2000, "0.2")] // 0.15: a double would give 0.1
    [TestCase(1, 400, "0.3")] // 0.25
    [TestCase(7, 16, "43.8")] // 43.75
    [TestCase(1, 3, "33.3")]
    [TestCase(2, 3, "66.7")]
    [TestCase(5, 40000, "0.0")] // 0.0125
    [TestCase(99_999, 100_000, "100.0")] // 99.999
    [TestCase(15, 10, "150.0")]
    [TestCase(0, 15_430, "0.0")]
    [TestCase(-1, 2000, "-0.1")] // away from zero on the negative side too
    public void PercentHasOneDecimalRoundedHalfAwayFromZero(long achieved, long target, string expected)
    {
        Assert.That(RollupMath.Percent(achieved, target), Is.EqualTo(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void PercentIsNullWhenTheTargetIsZero()
    {
        Assert.That(RollupMath.Percent(0, 0), Is.Null);
        Assert.That(RollupMath.Percent(12, 0), Is.Null);
        Assert.That(RollupMath.Progress(0, 12).Percent, Is.Null);
    }

    [TestCase(10, 3, 7)]
    [TestCase(10, 10, 0)]
    [TestCase(10, 15, 0)]
    [TestCase(0, 4, 0)]
    public void RemainingIsNeverNegative(long target, long achieved, long expected)
    {
        Assert.That(RollupMath.Remaining(target, achieved), Is.EqualTo(expected));
    }

    [Test]
    public void DiscrepancyIsDeclaredMinusTheSumOfSudinTargetsOrNull()
    {
        Assert.That(RollupMath.Discrepancy(15_230, 15_430), Is.EqualTo(-200));
        Assert.That(RollupMath.Discrepancy(null, 15_430), Is.Null);
    }

    [Test]
    public void AsOfSubtractsTheDaysAfterItFromTheRunningTotalAndMatchesTheLedger()
    {
        var ledger = new (DateOnly Date, long Count)[]
        {
            (new(2020, 1, 5), 4), (new(2020, 3, 1), 10), (new(2020, 3, 1), -10), (new(2020, 6, 30), 7), (new(2020, 12, 1), 2),
        };
        var running = ledger.Sum(e => e.Count);
        var daily = ledger.GroupBy(e => e.Date).ToDictionary(g => g.Key, g => g.Sum(e => e.Count));

        for (var asOf = new DateOnly(2019, 12, 31); asOf <= new DateOnly(2020, 12, 31); asOf = asOf.AddDays(1))
        {
            var after = daily.Where(d => d.Key > asOf).Sum(d => d.Value);
            var expected = ledger.Where(e => e.Date <= asOf).Sum(e => e.Count);
            Assert.That(RollupMath.AsOf(running, after), Is.EqualTo(expected), $"asOf {asOf}");
        }
    }

    [Test]
    public void AReversalDatedLikeItsEntryCancelsItAtEveryAsOf()
    {
        var cells = new[]
        {
            // +5 and its reversal -5 on 2020-06-01, plus 3 on 2020-02-01: running total 3.
            new AggregateCell("31.73", "31.73.01", "31.73.01.1001", "KPKP", 3, 0),
            new AggregateCell("31.73", "31.73.01", "31.73.01.1001", "KPKP", 3, 0 + 5 - 5),
            new AggregateCell("31.73", "31.73.01", "31.73.01.1001", "KPKP", 3, 3 + 5 - 5),
        };

        Assert.That(cells.Select(c => c.AsOf().Achieved), Is.EqualTo(new long[] { 3, 3, 0 }));
    }

    [Test]
    public void KotaRollupListsEverySudinAndKecamatanWithZeros()
    {
        var kota = Regions.Find("31.73")!;
        var targets = new[] { new TargetCell("31.73", "KPKP", 1120), new TargetCell("31.73", "SOSIAL", 214), new TargetCell("31.75", "KPKP", 99) };
        var achieved = new[]
        {
            new AchievedCell("31.73", "31.73.01", "31.73.01.1001", "KPKP", 200),
            new AchievedCell("31.73", "31.73.01", "31.73.01.1002", "KPKP", 80),
            new AchievedCell("31.73", "31.73.02", "31.73.02.1001", "SOSIAL", 300),
        };

        var rollup = RollupMath.Kota("2020", new DateOnly(2020, 12, 10), kota, Regions, targets, achieved, 1300, "announced");

        Assert.That(rollup.Sudin.Select(s => s.Sudin), Is.EqualTo(Sudin.All.Select(s => s.Code)));
        var kpkp = rollup.Sudin.Single(s => s.Sudin == "KPKP");
        Assert.That((kpkp.Target, kpkp.Achieved, kpkp.Percent, kpkp.Remaining), Is.EqualTo((1120L, 280L, (decimal?)25.0m, 840L)));
        var sosial = rollup.Sudin.Single(s => s.Sudin == "SOSIAL");
        Assert.That((sosial.Percent, sosial.Remaining), Is.EqualTo(((decimal?)140.2m, 0L)));
        var parekraf = rollup.Sudin.Single(s => s.Sudin == "PAREKRAF");
        Assert.That((parekraf.Target, parekraf.Achieved, parekraf.Percent), Is.EqualTo((0L, 0L, (decimal?)null)));
        Assert.That(rollup.Walikota, Is.EqualTo(new WalikotaProgress(1334, 580, 43.5m, 754, 1300, -34, "announced")));
        Assert.That(rollup.Kecamatan.Select(k => k.Code), Is.EqualTo(Regions.Children("31.73").Select(k => k.Code)));
        Assert.That(rollup.Kecamatan.Single(k => k.Code == "31.73.01").BySudin["KPKP"], Is.EqualTo(280));
        Assert.That(rollup.Kecamatan.Single(k => k.Code == "31.73.03").Achieved, Is.Zero);
        Assert.That(rollup.Kecamatan.All(k => k.BySudin.Count == 7), Is.True);
    }

    [Test]
    public void ProvinceRollupListsEveryKotaOrOnlyTheScopedOne()
    {
        var targets = new[] { new TargetCell("31.73", "KPKP", 100), new TargetCell("31.75", "KPKP", 300) };
        var achieved = new[] { new AchievedCell("31.73", "31.73.01", "31.73.01.1001", "KPKP", 50), new AchievedCell("31.75", "31.75.01", "31.75.01.1001", "KPKP", 30) };

        var all = RollupMath.Province("2020", new DateOnly(2020, 12, 10), Regions.Kota, targets, achieved, null);
        var scoped = RollupMath.Province("2020", new DateOnly(2020, 12, 10), Regions.Kota, targets, achieved, "31.75");

        Assert.That(all.Kota, Has.Count.EqualTo(6));
        Assert.That(all.Total, Is.EqualTo(new Progress(400, 80, 20.0m, 320)));
        Assert.That(all.Kota.Single(k => k.Code == "31.01").Percent, Is.Null);
        Assert.That(scoped.Kota.Select(k => k.Code), Is.EqualTo(new[] { "31.75" }));
        Assert.That(scoped.Total, Is.EqualTo(new Progress(300, 30, 10.0m, 270)));
    }

    [Test]
    public void KelurahanListIncludesEveryKelurahanWithAllSudin()
    {
        var kelurahan = Regions.KelurahanUnder("31.73.01").ToList();

        var rows = RollupMath.Kelurahan(kelurahan, [new AchievedCell("31.73", "31.73.01", "31.73.01.1003", "PPAPP", 9)]);

        Assert.That(rows.Select(r => r.Code), Is.EqualTo(kelurahan.Select(k => k.Code)));
        Assert.That(rows.Single(r => r.Code == "31.73.01.1003").BySudin["PPAPP"], Is.EqualTo(9));
        Assert.That(rows.Single(r => r.Code == "31.73.01.1003").Achieved, Is.EqualTo(9));
        Assert.That(rows.All(r => r.Kecamatan == "31.73.01" && r.BySudin.Count == 7), Is.True);
    }
}
