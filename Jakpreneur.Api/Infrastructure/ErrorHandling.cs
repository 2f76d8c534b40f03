using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Jakpreneur.Api.Infrastructure;

/// <summary>
/// Turns request-reading failures (malformed JSON, wrong types, wrong content type, oversized
/// bodies) into 4xx problems, and anything unexpected into a 500 problem without internals.
/// </summary>
internal sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => JsonProblem(json),
            BadHttpRequestException bad => Problems.Make(bad.StatusCode, TitleFor(bad.StatusCode), DetailFor(bad)),
            _ => null,
        };
        if (result is null)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            result = Problems.Make(500, L.T("Server error", "Kesalahan server"),
                L.T("The server could not complete the request; it has been logged.", "Server tidak dapat menyelesaikan permintaan; kejadian ini dicatat."));
        }
        if (httpContext.Response.HasStarted)
        {
            return false;
        }
        httpContext.Response.Clear();
        await result.ExecuteAsync(httpContext);
        return true;
    }

    private static IResult JsonProblem(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
        var message = L.T(
            $"The JSON body is malformed or has a value of the wrong type at '{field}'.",
            $"Badan JSON rusak atau berisi nilai bertipe salah pada '{field}'.");
        return Problems.Validation(new Dictionary<string, string[]> { [field] = [message] }, message);
    }

    private static string TitleFor(int status) => status switch
    {
        413 => L.T("Request body too large", "Badan permintaan terlalu besar"),
        415 => L.T("Unsupported media type", "Jenis media tidak didukung"),
        _ => L.T("Bad request", "Permintaan tidak valid"),
    };

    private static string DetailFor(BadHttpRequestException bad) => bad.StatusCode switch
    {
        413 => L.T($"The request body exceeds the limit of {RequestLimits.MaxBodyBytes} bytes.", $"Badan permintaan melebihi batas {RequestLimits.MaxBodyBytes} byte."),
        415 => L.T("Send the body as application/json.", "Kirim badan permintaan sebagai application/json."),
        _ when bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase) && bad.Message.Contains("provided", StringComparison.OrdinalIgnoreCase) =>
            Problems.BodyRequiredMessage,
        _ => bad.Message,
    };
}

internal static class RequestLimits
{
    public const long MaxBodyBytes = 10 * 1024 * 1024;

    /// <summary>
    /// Kestrel enforces the limit while reading; this also refuses an announced oversized body up front,
    /// in every host (the test server has no Kestrel limits).
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > MaxBodyBytes)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = MaxBodyBytes;
            }
            await next(context);
        });
}

/// <summary>
/// Writes every problem as application/problem+json, whatever the Accept header says: the
/// framework's default writer declines for an Accept it cannot match and the client would get
/// plain text, while the contract promises problem+json for every error.
/// </summary>
internal sealed class AlwaysJsonProblemDetailsWriter(Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        problem.Type ??= Problems.TypeFor(problem.Status.Value);
        problem.Title ??= Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problem.Extensions.TryAdd("traceId", Problems.TraceId());
        problem.Detail ??= problem.Title;
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
            problem, problem.GetType(), json.Value.SerializerOptions, Problems.ContentType));
    }
}
