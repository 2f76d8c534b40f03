using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Demo;
using Jakpreneur.Core.Periods;
using Jakpreneur.Core.Regions;

namespace Jakpreneur.Core.Sosialisasi;

/// <summary>
/// The Jakarta Barat December 2020 campaign: every lurah of the kota owed a post about
/// Jakpreneur registration and cheap raw materials by 15 December; 25 of the 56 had reported.
/// Safe to run again: an existing campaign is kept and only the missing reports are added.
/// </summary>
public sealed class SosialisasiDemoSeed(SosialisasiQueries queries, PeriodQueries periods, RegionDirectory regions) : IDemoSeed
{
    public const string CampaignCode = "JB-2020-SOSIALISASI";
    public const string Kota = "31.73";
    public const string PeriodCode = "2020";
    public const int Reported = 25;
    public static readonly DateOnly DueDate = new(2020, 12, 15);

    private static readonly string[] Channels = ["instagram", "facebook", "whatsapp", "offline", "youtube", "tiktok", "website", "x"];

    public int Order => 20;

    public async Task SeedAsync(CancellationToken ct)
    {
        // The ledger demo (Order 10) also creates period 2020; whichever runs first creates it.
        if (await periods.FindAsync(PeriodCode, ct) is null)
        {
            await periods.UpsertAsync(
                new Period(PeriodCode, "Jakpreneur 2020", new DateOnly(2020, 1, 1), new DateOnly(2020, 12, 31), new DateOnly(2020, 12, 15)),
                Actor.System, ct);
        }
        if (await queries.FindAsync(CampaignCode, ct) is null)
        {
            var kota = regions.Find(Kota, RegionLevel.Kota)
                ?? throw new InvalidOperationException($"The region seed lacks kota {Kota}.");
            // Null: another seed run created it in between, which is what this step wanted.
            _ = await queries.CreateAsync(new NewCampaign(
                CampaignCode,
                "Sosialisasi pendaftaran Jakpreneur dan bahan baku murah bagi peserta Jakpreneur, Jakarta Barat 2020",
                PeriodCode, [kota], DueDate, "https://jakpreneur.jakarta.go.id/"), Actor.System, ct);
        }

        var status = await queries.StatusAsync(CampaignCode, new StatusFilter(), ct)
            ?? throw new InvalidOperationException($"Campaign {CampaignCode} vanished while seeding.");
        var reported = status.Kelurahan.Where(k => k.Reports > 0).Select(k => k.Code).ToHashSet(StringComparer.Ordinal);
        // Every kecamatan had some kelurahan reported: take 25 spread evenly over the 56 in code order.
        var all = regions.KelurahanUnder(Kota).OrderBy(k => k.Code, StringComparer.Ordinal).ToList();
        var chosen = all.Where((_, i) => (i + 1) * Reported / all.Count > i * Reported / all.Count).ToList();
        for (var i = 0; i < chosen.Count; i++)
        {
            var kelurahan = chosen[i];
            if (reported.Contains(kelurahan.Code))
            {
                continue;
            }
            // Spread over 1–14 December, office hours WIB: all on time for the 15 December deadline.
            var at = Wib.StartOf(new DateOnly(2020, 12, 1).AddDays(i % 14)).AddHours(8 + i % 9).AddMinutes(7 * i % 60);
            var channel = Channels[i % Channels.Length];
            var slug = new string(kelurahan.Name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
            var report = new NewReport(
                kelurahan, channel,
                channel switch
                {
                    SosialisasiChannels.Offline => null,
                    "website" => $"https://barat.jakarta.go.id/kelurahan/{slug}/sosialisasi-jakpreneur-2020",
                    _ => $"https://www.{channel}.com/kel.{slug}/sosialisasi-jakpreneur-2020",
                },
                Wib.DateOf(at), 40 + (i * 37 % 400),
                channel == SosialisasiChannels.Offline
                    ? $"Sosialisasi tatap muka di kantor Kelurahan {kelurahan.Name} bersama pengurus RW dan PKK."
                    : $"Unggahan akun resmi Kelurahan {kelurahan.Name}.");
            await queries.AddReportAsync(CampaignCode, report, Actor.System, at, ct);
        }
    }
}
