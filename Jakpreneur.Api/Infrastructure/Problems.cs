using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Jakpreneur.Api.Infrastructure;

/// <summary>
/// RFC 9457 problems with the fields the contract promises (type, title, status, detail, traceId),
/// in the caller's language.
/// </summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static ProblemHttpResult NotFound(string detail) =>
        Make(StatusCodes.Status404NotFound, L.T("Not found", "Tidak ditemukan"), detail);

    public static ProblemHttpResult Conflict(string detail) =>
        Make(StatusCodes.Status409Conflict, L.T("Conflict", "Konflik"), detail);

    public static ProblemHttpResult Forbidden(string? detail = null) =>
        Make(StatusCodes.Status403Forbidden, L.T("Forbidden", "Akses ditolak"),
            detail ?? L.T("This API key may not do this.", "Kunci API ini tidak berhak melakukan ini."));

    public static ProblemHttpResult Unprocessable(string detail) =>
        Make(StatusCodes.Status422UnprocessableEntity, L.T("Unprocessable request", "Permintaan tidak dapat diproses"), detail);

    public static ProblemHttpResult PreconditionFailed(string detail) =>
        Make(StatusCodes.Status412PreconditionFailed, L.T("Precondition failed", "Prasyarat gagal"), detail);

    public static ProblemHttpResult BadRequest(string detail) =>
        Make(StatusCodes.Status400BadRequest, L.T("Bad request", "Permintaan tidak valid"), detail);

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string? detail = null)
    {
        return TypedResults.ValidationProblem(
            errors,
            detail ?? L.T("See errors for the fields to correct.", "Lihat errors untuk isian yang harus diperbaiki."),
            instance: null,
            title: L.T("One or more validation errors occurred.", "Terjadi satu atau lebih kesalahan validasi."),
            type: TypeFor(StatusCodes.Status400BadRequest),
            extensions: new Dictionary<string, object?> { ["traceId"] = TraceId() });
    }

    public static string BodyRequiredMessage => L.T("A JSON body is required.", "Badan permintaan JSON wajib diisi.");

    /// <summary>The request has no JSON body where one is required.</summary>
    public static ValidationProblem BodyRequired() => Validation("body", BodyRequiredMessage);

    /// <summary>One field's validation error, e.g. an unknown code found after the validator ran.</summary>
    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Make(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["traceId"] = TraceId() };
        return TypedResults.Problem(detail, null, status, title, TypeFor(status), ext);
    }

    public static ProblemDetails Details(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = TypeFor(status),
        Extensions = { ["traceId"] = TraceId() },
    };

    public static string TypeFor(int status) => status switch
    {
        400 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
        401 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
        403 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
        404 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
        405 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
        406 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.7",
        409 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
        412 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.13",
        413 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
        415 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
        422 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
        428 => "https://www.rfc-editor.org/rfc/rfc6585#section-3",
        429 => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        503 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
        _ => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
    };

    public static string TraceId() => Activity.Current?.Id ?? Guid.NewGuid().ToString("N");
}
