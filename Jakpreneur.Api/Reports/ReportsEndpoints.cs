using System.Text.Json;
using FluentValidation;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Regions;
using Jakpreneur.Core.Reports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Reports;

public sealed record CompileReportRequest(string? Campaign, string? Kota);

public sealed record ReportDownloads(string Json, string Csv, string Xlsx);

public sealed record CompiledReportResponse(
    long Id, string Status, string Campaign, string Kota, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt,
    JsonElement? Summary, ReportDownloads? Downloads, string? Error)
{
    public static CompiledReportResponse From(Report r)
    {
        var path = $"/api/v1/reports/{r.Id}";
        return new CompiledReportResponse(
            r.Id, r.Status, r.Campaign, r.Kota, r.CreatedAt, r.CompletedAt,
            r.Summary is null ? null : JsonDocument.Parse(r.Summary).RootElement.Clone(),
            r.Status == ReportStatus.Done ? new ReportDownloads($"{path}/content", $"{path}/content.csv", $"{path}/content.xlsx") : null,
            r.Error);
    }
}

internal sealed class CompileReportRequestValidator : AbstractValidator<CompileReportRequest>
{
    public CompileReportRequestValidator()
    {
        RuleFor(x => x.Campaign).NotEmpty().MaximumLength(64);
        RuleFor(x => x.Kota).NotEmpty().MaximumLength(20);
    }
}

internal static class ReportsEndpoints
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/v1/reports").WithTags("Reports");
        reports.MapPost("/", Post)
            .WithValidation<CompileReportRequest>()
            .WithName("RequestReport")
            .WithSummary("Compile a sosialisasi report for a campaign and kota in the background (202, Location of the report).");
        reports.MapGet("/{id}", Get)
            .WithName("GetReport")
            .WithSummary("A report's status, summary and download links.");
        reports.MapGet("/{id}/content", (ReportQueries q, HttpContext http, string id, CancellationToken ct) =>
                Content(q, http, id, "json", ct))
            .WithName("GetReportJson")
            .WithSummary("The report snapshot as JSON.");
        reports.MapGet("/{id}/content.csv", (ReportQueries q, HttpContext http, string id, CancellationToken ct) =>
                Content(q, http, id, "csv", ct))
            .WithName("GetReportCsv")
            .WithSummary("The report as CSV (RFC 4180): a titled block per section.");
        reports.MapGet("/{id}/content.xlsx", (ReportQueries q, HttpContext http, string id, CancellationToken ct) =>
                Content(q, http, id, "xlsx", ct))
            .WithName("GetReportXlsx")
            .WithSummary("The report as an Excel workbook: a sheet per section, header row, frozen panes.");
        return app;
    }

    private static async Task<Results<Accepted<CompiledReportResponse>, ProblemHttpResult, ValidationProblem>> Post(
        ReportQueries queries, ReportQueue queue, RegionDirectory regions, HttpContext http, CompileReportRequest request, CancellationToken ct)
    {
        var campaign = request.Campaign!.Trim();
        var kota = request.Kota!.Trim();
        if (regions.Find(kota, RegionLevel.Kota) is null)
        {
            return Problems.Validation("kota", L.T($"Unknown kota code '{kota}'.", $"Kode kota '{kota}' tidak dikenal."));
        }
        var caller = http.Caller();
        if (!caller.CanManage(kota))
        {
            return Problems.Forbidden(L.T($"This API key may not request reports for kota {kota}.", $"Kunci API ini tidak berhak meminta laporan kota {kota}."));
        }
        if (!await queries.CampaignExistsAsync(campaign, ct))
        {
            return Problems.Unprocessable(L.T($"No campaign has code '{campaign}'.", $"Tidak ada kampanye dengan kode '{campaign}'."));
        }
        if (!(await queries.CampaignKotaAsync(campaign, ct)).Contains(kota))
        {
            return Problems.Unprocessable(L.T($"Campaign '{campaign}' does not cover kota {kota}.", $"Kampanye '{campaign}' tidak mencakup kota {kota}."));
        }
        var id = (await queries.QueueAsync(campaign, kota, caller.KeyId, null, http.Actor(), ct))!.Value;
        queue.Enqueue(id);
        var report = (await queries.FindAsync(id, ct))!;
        return TypedResults.Accepted($"/api/v1/reports/{id}", CompiledReportResponse.From(report));
    }

    private static async Task<Results<Ok<CompiledReportResponse>, ProblemHttpResult>> Get(ReportQueries queries, HttpContext http, string id, CancellationToken ct)
    {
        var (report, problem) = await FindReadableAsync(queries, http, id, ct);
        return report is null ? problem! : TypedResults.Ok(CompiledReportResponse.From(report));
    }

    private static async Task<Results<FileContentHttpResult, ContentHttpResult, ProblemHttpResult>> Content(
        ReportQueries queries, HttpContext http, string id, string format, CancellationToken ct)
    {
        var (report, problem) = await FindReadableAsync(queries, http, id, ct);
        if (report is null)
        {
            return problem!;
        }
        if (report.Status != ReportStatus.Done || report.Content is null)
        {
            return Problems.Conflict(L.T(
                $"Report {report.Id} is {report.Status}; its content is available once it is done.",
                $"Laporan {report.Id} berstatus {report.Status}; isinya tersedia setelah selesai."));
        }
        if (format == "json")
        {
            return TypedResults.Content(report.Content, "application/json; charset=utf-8");
        }
        var content = JsonSerializer.Deserialize<ReportContent>(report.Content, SosialisasiReportService.Json)!;
        var name = $"sosialisasi-{report.Campaign}-{report.Kota}-{report.Id}";
        return format == "csv"
            ? TypedResults.File(ReportExport.ToCsv(content), ReportExport.CsvContentType, $"{name}.csv")
            : TypedResults.File(ReportExport.ToXlsx(content), ReportExport.XlsxContentType, $"{name}.xlsx");
    }

    private static async Task<(Report? Report, ProblemHttpResult? Problem)> FindReadableAsync(
        ReportQueries queries, HttpContext http, string id, CancellationToken ct)
    {
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var reportId)
            || await queries.FindAsync(reportId, ct) is not { } report)
        {
            return (null, Problems.NotFound(L.T($"No report has id '{id}'.", $"Tidak ada laporan dengan id '{id}'.")));
        }
        if (!http.Caller().CanRead(report.Kota))
        {
            return (null, Problems.Forbidden());
        }
        return (report, null);
    }
}
