using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Jakpreneur.Core.Data;

namespace Jakpreneur.Core.Reports;

/// <summary>One table of a report: a sheet in the XLSX, a titled block in the CSV. Cells are text, numbers or empty.</summary>
public sealed record ReportSection(string Name, IReadOnlyList<string> Header, IReadOnlyList<object?[]> Rows);

/// <summary>Renders a report snapshot as CSV (RFC 4180) and XLSX from the same sections, so both hold the same figures.</summary>
public static class ReportExport
{
    public const string CsvContentType = "text/csv; charset=utf-8";
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IReadOnlyList<ReportSection> Sections(ReportContent c) =>
    [
        new("Summary", ["field", "value"],
        [
            ["campaign", c.Campaign.Code],
            ["title", c.Campaign.Title],
            ["period", c.Campaign.Period],
            ["dueDate", Iso.Date(c.Campaign.DueDate)],
            ["kota", c.Kota.Code],
            ["kotaName", c.Kota.Name],
            ["asOf", Iso.Date(c.AsOf)],
            ["generatedAt", c.GeneratedAt.ToString("O", CultureInfo.InvariantCulture)],
            ["kelurahan", c.Totals.Kelurahan],
            ["reported", c.Totals.Reported],
            ["onTime", c.Totals.OnTime],
            ["late", c.Totals.Late],
            ["pending", c.Totals.Pending],
            ["target", c.Rollup.Total.Target],
            ["achieved", c.Rollup.Total.Achieved],
            ["percent", c.Rollup.Total.Percent],
            ["remaining", c.Rollup.Total.Remaining],
        ]),
        new("Kecamatan", ["code", "name", "kelurahan", "reported", "onTime", "late", "pending"],
            c.Kecamatan.Select(k => new object?[] { k.Code, k.Name, k.Kelurahan, k.Reported, k.OnTime, k.Late, k.Pending }).ToList()),
        new("Kelurahan", ["code", "name", "kecamatan", "kecamatanName", "status", "firstReportedAt", "firstReportDate", "reports", "channels", "evidence"],
            c.Kelurahan.Select(k => new object?[]
            {
                k.Code, k.Name, k.Kecamatan, k.KecamatanName, k.Status,
                k.FirstReportedAt?.ToString("O", CultureInfo.InvariantCulture),
                k.FirstReportDate is { } d ? Iso.Date(d) : null,
                k.Reports, string.Join(' ', k.Channels), string.Join(' ', k.Evidence),
            }).ToList()),
        new("Rollup", ["sudin", "name", "target", "achieved", "percent", "remaining"],
            c.Rollup.Sudin.Select(s => new object?[] { s.Sudin, s.Name, s.Target, s.Achieved, s.Percent, s.Remaining })
                .Append(["TOTAL", c.Kota.Name, c.Rollup.Total.Target, c.Rollup.Total.Achieved, c.Rollup.Total.Percent, c.Rollup.Total.Remaining])
                .ToList()),
    ];

    /// <summary>Each section as a title line, a header line and its rows, separated by an empty line.</summary>
    public static byte[] ToCsv(ReportContent content)
    {
        var csv = new StringBuilder();
        foreach (var section in Sections(content))
        {
            if (csv.Length > 0)
            {
                csv.Append("\r\n");
            }
            AppendLine(csv, [section.Name]);
            AppendLine(csv, section.Header.Cast<object?>().ToArray());
            foreach (var row in section.Rows)
            {
                AppendLine(csv, row);
            }
        }
        return Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray();
    }

    private static void AppendLine(StringBuilder csv, object?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }
            csv.Append(Field(cells[i]));
        }
        csv.Append("\r\n");
    }

    private static string Field(object? value)
    {
        var text = value switch
        {
            null => "",
            string s when s.Length > 0 && s[0] is '=' or '+' or '-' or '@' => "'" + s, // keep spreadsheets from running formulas
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }

    /// <summary>A sheet per section, header row first, panes frozen below the header.</summary>
    public static byte[] ToXlsx(ReportContent content)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            uint sheetId = 1;
            foreach (var section in Sections(content))
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                data.Append(Row(1, section.Header.Cast<object?>().ToArray()));
                uint index = 2;
                foreach (var row in section.Rows)
                {
                    data.Append(Row(index++, row));
                }
                var view = new SheetView(
                    new Pane { VerticalSplit = 1D, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen },
                    new Selection { Pane = PaneValues.BottomLeft, ActiveCell = "A2", SequenceOfReferences = new ListValue<StringValue> { InnerText = "A2" } })
                {
                    WorkbookViewId = 0U,
                    TabSelected = sheetId == 1,
                };
                part.Worksheet = new Worksheet(new SheetViews(view), data);
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = sheetId++, Name = section.Name });
            }
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    private static Row Row(uint index, object?[] cells)
    {
        var row = new Row { RowIndex = index };
        for (var i = 0; i < cells.Length; i++)
        {
            var reference = Column(i) + index.ToString(CultureInfo.InvariantCulture);
            row.Append(cells[i] switch
            {
                null => new Cell { CellReference = reference },
                string s => new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(s)) },
                IFormattable f => new Cell { CellReference = reference, DataType = CellValues.Number, CellValue = new CellValue(f.ToString(null, CultureInfo.InvariantCulture)) },
                var other => new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(other.ToString() ?? "")) },
            });
        }
        return row;
    }

    private static string Column(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26)
        {
            name = (char)('A' + (index - 1) % 26) + name;
        }
        return name;
    }
}
