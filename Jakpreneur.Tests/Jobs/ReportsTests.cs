using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Reports;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Jobs;

public sealed class ReportsTests(string provider) : ApiTest(provider)
{
    private const string Kota = "31.74";             // Jakarta Selatan
    private const string TebetTimur = "31.74.01.1001";
    private const string TebetBarat = "31.74.01.1002";
    private const string Setiabudi = "31.74.02.1001";

    [Test]
    public async Task PostedReportIsCompiledInTheBackgroundAndItsCsvAndXlsxHoldTheSameFigures()
    {
        var period = await NewPeriodAsync(Core.Common.Wib.Today(Time).Year);
        var campaign = UniqueCode("REP");
        var today = Core.Common.Wib.Today(Time);
        var sosialisasi = new Sosialisasi(App.Services);
        await sosialisasi.CampaignAsync(campaign, today.AddDays(1), period, TebetTimur, TebetBarat, Setiabudi);
        await sosialisasi.ReportAsync(campaign, TebetTimur, "instagram", "https://instagram.com/p/tebet-timur", Time.GetUtcNow());
        await sosialisasi.ReportAsync(campaign, TebetTimur, "offline", null, Time.GetUtcNow(), "Sosialisasi di kantor kelurahan, 40 warga");
        await sosialisasi.ReportAsync(campaign, TebetBarat, "youtube", "https://youtube.com/watch?v=tebet,barat", Time.GetUtcNow().AddDays(3)); // late
        await Admin.PutAsJsonAsync($"/api/v1/contacts/{Kota}", new { name = "Ekonomi Jaksel", email = "ekonomi.jaksel@example.go.id" });
        (await Admin.PutAsJsonAsync($"/api/v1/periods/{period}/targets/{Kota}/KPKP", new { target = 1120 })).EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/v1/achievements", new { period, kelurahan = TebetTimur, sudin = "KPKP", count = 40, date = Core.Data.Iso.Date(today) })).EnsureSuccessStatusCode();
        using var kotaKey = await ClientForAsync("kota", kota: Kota);

        var posted = await kotaKey.PostAsJsonAsync("/api/v1/reports", new { campaign, kota = Kota });
        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await posted.Content.ReadAsStringAsync());
        var location = posted.Headers.Location!.ToString();
        Assert.That(location, Does.Match(@"^/api/v1/reports/\d+$"));
        var report = await WaitDoneAsync(kotaKey, location);

        var totals = report.GetProperty("summary").GetProperty("totals");
        Assert.That(Ints(totals, "kelurahan", "reported", "onTime", "late", "pending"), Is.EqualTo(new[] { 3, 2, 1, 1, 1 }));
        Assert.That(report.GetProperty("downloads").GetProperty("csv").GetString(), Is.EqualTo($"{location}/content.csv"));
        Assert.That(report.GetProperty("downloads").GetProperty("xlsx").GetString(), Is.EqualTo($"{location}/content.xlsx"));
        Assert.That(report.GetProperty("completedAt").ValueKind, Is.EqualTo(JsonValueKind.String));

        var content = await ReadJsonAsync(await kotaKey.GetAsync($"{location}/content"));
        var kelurahan = content.GetProperty("kelurahan").EnumerateArray().ToDictionary(k => k.GetProperty("code").GetString()!);
        Assert.That(kelurahan[TebetTimur].GetProperty("status").GetString(), Is.EqualTo("on_time"));
        Assert.That(kelurahan[TebetTimur].GetProperty("channels").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "instagram", "offline" }));
        Assert.That(kelurahan[TebetTimur].GetProperty("evidence").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "https://instagram.com/p/tebet-timur" }));
        Assert.That(kelurahan[TebetBarat].GetProperty("status").GetString(), Is.EqualTo("late"));
        Assert.That(kelurahan[Setiabudi].GetProperty("status").GetString(), Is.EqualTo("pending"));
        Assert.That(content.GetProperty("rollup").GetProperty("period").GetString(), Is.EqualTo(period));
        var kecamatan = content.GetProperty("kecamatan").EnumerateArray()
            .Select(k => new[] { k.GetProperty("code").GetString()! }
                .Concat(Ints(k, "kelurahan", "reported", "onTime", "late", "pending").Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray())
            .ToList();
        Assert.That(kecamatan, Is.EqualTo(new[] { new[] { "31.74.01", "2", "2", "1", "1", "0" }, new[] { "31.74.02", "1", "0", "0", "0", "1" } }));

        // The roll-up section holds what the roll-up endpoint answers for the same kota and date.
        var endpoint = await ReadJsonAsync(await kotaKey.GetAsync($"/api/v1/periods/{period}/rollup/{Kota}?asOf={content.GetProperty("asOf").GetString()}"));
        static string[] Lines(JsonElement sudin) => sudin.EnumerateArray()
            .Select(r => $"{r.GetProperty("sudin").GetString()} {r.GetProperty("target")} {r.GetProperty("achieved")} {r.GetProperty("percent")} {r.GetProperty("remaining")}").ToArray();
        Assert.That(Lines(content.GetProperty("rollup").GetProperty("sudin")), Is.EqualTo(Lines(endpoint.GetProperty("sudin"))));
        Assert.That(Lines(content.GetProperty("rollup").GetProperty("sudin")), Does.Contain("KPKP 1120 40 3.6 1080"));

        // CSV: RFC 4180, a titled block per section, the same figures.
        var csvResponse = await kotaKey.GetAsync($"{location}/content.csv");
        Assert.That(csvResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        var csv = Csv.Parse(Encoding.UTF8.GetString(await csvResponse.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF'));
        var csvSections = Csv.Sections(csv);
        Assert.That(csvSections.Keys, Is.EqualTo(new[] { "Summary", "Kecamatan", "Kelurahan", "Rollup" }));
        Assert.That(csvSections["Kecamatan"].Skip(1).Select(r => r.Take(1).Concat(r.Skip(2)).ToArray()).ToList(), Is.EqualTo(kecamatan));
        var csvSummary = csvSections["Summary"].Skip(1).ToDictionary(r => r[0], r => r[1]);
        Assert.That(new[] { csvSummary["kelurahan"], csvSummary["reported"], csvSummary["onTime"], csvSummary["late"], csvSummary["pending"] },
            Is.EqualTo(new[] { "3", "2", "1", "1", "1" }));
        var csvKelurahan = csvSections["Kelurahan"].Skip(1).ToDictionary(r => r[0]);
        Assert.That(csvKelurahan[TebetBarat][4], Is.EqualTo("late"));
        Assert.That(csvKelurahan[TebetBarat][9], Is.EqualTo("https://youtube.com/watch?v=tebet,barat"), "a comma inside a field is quoted");

        var csvRollup = csvSections["Rollup"];
        var kpkpCsv = csvRollup.Skip(1).Single(r => r[0] == "KPKP");
        Assert.That(kpkpCsv[Array.IndexOf(csvRollup[0], "target")], Is.EqualTo("1120"));
        Assert.That(kpkpCsv[Array.IndexOf(csvRollup[0], "achieved")], Is.EqualTo("40"));

        // XLSX: a sheet per section, header row, frozen panes, the same figures.
        var xlsxResponse = await kotaKey.GetAsync($"{location}/content.xlsx");
        Assert.That(xlsxResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo(ReportExport.XlsxContentType));
        using var document = SpreadsheetDocument.Open(new MemoryStream(await xlsxResponse.Content.ReadAsByteArrayAsync()), false);
        var sheets = Xlsx.Sheets(document);
        Assert.That(sheets.Keys, Is.EqualTo(new[] { "Summary", "Kecamatan", "Kelurahan", "Rollup" }));
        Assert.That(sheets["Kecamatan"].Rows[0], Is.EqualTo(new[] { "code", "name", "kelurahan", "reported", "onTime", "late", "pending" }));
        Assert.That(sheets["Kecamatan"].Rows.Skip(1).Select(r => r.Take(1).Concat(r.Skip(2)).ToArray()).ToList(), Is.EqualTo(kecamatan));
        Assert.That(sheets.Values.Select(s => s.Frozen), Is.All.True);
        var xlsxRollup = sheets["Rollup"].Rows;
        var kpkpXlsx = xlsxRollup.Skip(1).Single(r => r[0] == "KPKP");
        Assert.That(kpkpXlsx[Array.IndexOf(xlsxRollup[0], "target")], Is.EqualTo("1120"));
        Assert.That(kpkpXlsx[Array.IndexOf(xlsxRollup[0], "achieved")], Is.EqualTo("40"));
        var xlsxSummary = sheets["Summary"].Rows.Skip(1).ToDictionary(r => r[0], r => r[1]);
        Assert.That(xlsxSummary["pending"], Is.EqualTo("1"));
        Assert.That(sheets["Kelurahan"].Rows.Skip(1).Select(r => (r[0], r[4])),
            Is.EquivalentTo(new[] { (TebetTimur, "on_time"), (TebetBarat, "late"), (Setiabudi, "pending") }));

        // The kota office is told where to download it.
        var notes = (await ReadJsonAsync(await Admin.GetAsync($"/api/v1/notifications?campaign={campaign}&region={Kota}"))).GetProperty("items").EnumerateArray().ToList();
        Assert.That(notes.Select(n => (n.GetProperty("kind").GetString(), n.GetProperty("stage").GetString(), n.GetProperty("channel").GetString())),
            Is.EqualTo(new[] { ("report", "report", "email") }));
        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        var body = await connection.QuerySingleAsync<string>("SELECT body FROM notifications WHERE campaign = @campaign AND kind = 'report'", new { campaign });
        Assert.That(body, Does.Contain($"{location}/content.xlsx").And.Contain("belum melapor: 1"));
    }

    [Test]
    public async Task TheKotaRollupComesFromTheRollupSource()
    {
        var campaign = UniqueCode("RUP");
        await new Sosialisasi(App.Services).CampaignAsync(campaign, Core.Common.Wib.Today(Time), await NewPeriodAsync(), TebetTimur);
        var source = new FixedRollup([new("PAREKRAF", "Pariwisata", 200, 50, 25.0m, 150), new("SOSIAL", "Sosial", 100, 60, 60.0m, 40)]);
        var service = ActivatorUtilities.CreateInstance<SosialisasiReportService>(App.Services, (IKotaRollupSource)source);

        var content = await service.CompileAsync(campaign, Kota, CancellationToken.None);
        var sheets = Xlsx.Sheets(SpreadsheetDocument.Open(new MemoryStream(ReportExport.ToXlsx(content)), false));

        Assert.That(content.Rollup.Total, Is.EqualTo(new RollupTotal(300, 110, 36.7m, 190)));
        Assert.That(sheets["Rollup"].Rows.Select(r => r[0]), Is.EqualTo(new[] { "sudin", "PAREKRAF", "SOSIAL", "TOTAL" }));
        Assert.That(sheets["Rollup"].Rows[^1][2..], Is.EqualTo(new[] { "300", "110", "36.7", "190" }));
    }

    [Test]
    public async Task ReportRequestsAreCheckedBeforeAnythingIsQueued()
    {
        var campaign = UniqueCode("CHK");
        await new Sosialisasi(App.Services).CampaignAsync(campaign, Core.Common.Wib.Today(Time), null, TebetTimur);
        using var otherKota = await ClientForAsync("kota", kota: "31.75");

        var badKota = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/reports", new { campaign, kota = "31.99" }));
        var missing = await AssertValidationProblemAsync(await Admin.PostAsJsonAsync("/api/v1/reports", new { }));
        var unknownCampaign = await AssertProblemAsync(await Admin.PostAsJsonAsync("/api/v1/reports", new { campaign = "NO-SUCH", kota = Kota }), HttpStatusCode.UnprocessableEntity);
        var notCovered = await AssertProblemAsync(await Admin.PostAsJsonAsync("/api/v1/reports", new { campaign, kota = "31.75" }), HttpStatusCode.UnprocessableEntity);
        await AssertProblemAsync(await otherKota.PostAsJsonAsync("/api/v1/reports", new { campaign, kota = Kota }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await Admin.GetAsync("/api/v1/reports/987654321"), HttpStatusCode.NotFound);

        Assert.That(badKota.Keys, Does.Contain("kota"));
        Assert.That(missing.Keys, Is.SupersetOf(new[] { "campaign", "kota" }));
        Assert.That(unknownCampaign.GetProperty("detail").GetString(), Does.Contain("NO-SUCH"));
        Assert.That(notCovered.GetProperty("detail").GetString(), Does.Contain("31.75"));
        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reports WHERE campaign = @campaign", new { campaign }), Is.Zero);
    }

    [Test]
    public async Task AQueuedReportHasNoContentYetAndOtherKotaCannotReadIt()
    {
        var campaign = UniqueCode("QUE");
        await new Sosialisasi(App.Services).CampaignAsync(campaign, Core.Common.Wib.Today(Time), null, TebetTimur);
        var id = await App.Services.GetRequiredService<ReportQueries>().QueueAsync(campaign, Kota, "test", null, Actor.System, CancellationToken.None);
        using var otherKota = await ClientForAsync("kota", kota: "31.75");

        var report = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/reports/{id}"));
        await AssertProblemAsync(await Admin.GetAsync($"/api/v1/reports/{id}/content.csv"), HttpStatusCode.Conflict);
        await AssertProblemAsync(await otherKota.GetAsync($"/api/v1/reports/{id}"), HttpStatusCode.Forbidden);

        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("queued"));
        Assert.That(report.GetProperty("downloads").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task TheDailyJobCompilesEachOpenCampaignOncePerDay()
    {
        var open = UniqueCode("DAY");
        var closed = UniqueCode("OLD");
        var today = Core.Common.Wib.Today(Time);
        await new Sosialisasi(App.Services).CampaignAsync(open, today.AddDays(2), null, TebetTimur, "31.75.01.1001");
        await new Sosialisasi(App.Services).CampaignAsync(closed, today.AddDays(-60), null, TebetTimur);

        await Admin.PostAsync("/api/v1/jobs/sosialisasi-reports/trigger", null);
        await Admin.PostAsync("/api/v1/jobs/sosialisasi-reports/trigger", null);

        await using var connection = await App.Services.GetRequiredService<Db>().OpenAsync();
        var rows = (await connection.QueryAsync<(string Campaign, string Kota, string Status)>(
            "SELECT campaign, kota, status FROM reports WHERE campaign IN @codes ORDER BY campaign, kota", new { codes = new[] { open, closed } })).ToList();
        Assert.That(rows, Is.EqualTo(new[] { (open, Kota, "done"), (open, "31.75", "done") }));
    }

    private static int[] Ints(JsonElement element, params string[] names) => names.Select(n => element.GetProperty(n).GetInt32()).ToArray();

    private static async Task<JsonElement> WaitDoneAsync(HttpClient client, string location)
    {
        for (var i = 0; i < 100; i++)
        {
            var report = await ReadJsonAsync(await client.GetAsync(location));
            if (report.GetProperty("status").GetString() is "done" or "failed")
            {
                Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("done"), report.ToString());
                return report;
            }
            await Task.Delay(50);
        }
        throw new AssertionException($"report {location} was not compiled within 5 s");
    }

    private sealed class FixedRollup(IReadOnlyList<KotaRollupRow> rows) : IKotaRollupSource
    {
        public Task<IReadOnlyList<KotaRollupRow>> GetAsync(string period, string kota, DateOnly asOf, CancellationToken ct) => Task.FromResult(rows);
    }
}

/// <summary>An RFC 4180 reader, independent of the product's writer.</summary>
internal static class Csv
{
    public static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { field.Append(c); }
            }
            else if (c == '"') { quoted = true; }
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString()); field.Clear(); rows.Add(row.ToArray()); row.Clear(); i++;
            }
            else { field.Append(c); }
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add(row.ToArray()); }
        return rows;
    }

    /// <summary>Blocks separated by an empty line; the first line of each names it.</summary>
    public static Dictionary<string, List<string[]>> Sections(List<string[]> rows)
    {
        var sections = new Dictionary<string, List<string[]>>();
        List<string[]>? current = null;
        foreach (var row in rows)
        {
            if (row is [""]) { current = null; }
            else if (current is null) { current = []; sections[row[0]] = current; }
            else { current.Add(row); }
        }
        return sections;
    }
}

internal static class Xlsx
{
    public sealed record Sheet(List<string[]> Rows, bool Frozen);

    public static Dictionary<string, Sheet> Sheets(SpreadsheetDocument document)
    {
        var workbook = document.WorkbookPart!;
        var result = new Dictionary<string, Sheet>();
        foreach (var sheet in workbook.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>())
        {
            var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
            var rows = part.Worksheet.GetFirstChild<SheetData>()!.Elements<Row>()
                .Select(r => r.Elements<Cell>().Select(c => c.InlineString?.Text?.Text ?? c.CellValue?.Text ?? "").ToArray()).ToList();
            var pane = part.Worksheet.Descendants<Pane>().FirstOrDefault();
            var frozen = pane is not null && pane.State?.Value == PaneStateValues.Frozen && pane.VerticalSplit?.Value == 1D;
            result[sheet.Name!] = new Sheet(rows, frozen);
        }
        return result;
    }
}
