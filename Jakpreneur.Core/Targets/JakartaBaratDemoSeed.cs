using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Demo;
using Jakpreneur.Core.Periods;

namespace Jakpreneur.Core.Targets;

/// <summary>
/// <c>--seed-demo</c>: the Jakarta Barat 2020 example. The seven sudin targets sum to 15,430 while
/// the walikota office announced 15,230, so the kota roll-up shows a discrepancy of -200.
/// Writes only what differs from what is stored, so a second run changes nothing.
/// </summary>
public sealed class JakartaBaratDemoSeed(PeriodQueries periods, TargetQueries targets) : IDemoSeed
{
    public const string Period = "2020";
    public const string Kota = "31.73";
    public const long DeclaredTotal = 15_230;

    public const string DeclaredSource =
        "Bagian Perekonomian dan Sumber Daya Alam, Sekretariat Kota Administrasi Jakarta Barat: published Jakpreneur 2020 figures";

    public static readonly IReadOnlyList<(string Sudin, long Target)> Targets =
    [
        ("PAREKRAF", 200),
        ("NAKERTRANSGI", 700),
        ("PPKUKM-UKM", 9_968),
        ("PPKUKM-IKM", 2_668),
        ("SOSIAL", 214),
        ("PPAPP", 560),
        ("KPKP", 1_120),
    ];

    public int Order => 10;

    public async Task SeedAsync(CancellationToken ct)
    {
        var period = new Period(Period, "Jakpreneur 2020", new DateOnly(2020, 1, 1), new DateOnly(2020, 12, 31), new DateOnly(2020, 12, 15));
        var stored = await periods.FindAsync(Period, ct);
        if (stored is null || stored with { CreatedAt = default, UpdatedAt = default } != period)
        {
            await periods.UpsertAsync(period, Actor.System, ct);
        }
        foreach (var (sudin, target) in Targets)
        {
            if ((await targets.FindAsync(Period, Kota, sudin, ct))?.Target != target)
            {
                await targets.UpsertAsync(Period, Kota, sudin, target, null, Actor.System, ct);
            }
        }
        var declared = await targets.FindDeclaredAsync(Period, Kota, ct);
        if (declared?.Total != DeclaredTotal || declared.Source != DeclaredSource)
        {
            await targets.UpsertDeclaredAsync(Period, Kota, DeclaredTotal, DeclaredSource, null, Actor.System, ct);
        }
    }
}
