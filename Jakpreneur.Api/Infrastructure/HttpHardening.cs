using Jakpreneur.Api.Auth;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Net.Http.Headers;

namespace Jakpreneur.Api.Infrastructure;

/// <summary>
/// What a security review asks of every response: rate limits, a CORS allow-list for the city
/// dashboards, security headers, and logs that never carry an API key.
/// </summary>
internal static class HttpHardening
{
    public const string CorsPolicy = "dashboards";

    /// <summary>API responses are data, never a page: nothing may load, frame or run.</summary>
    private const string ApiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// Swagger UI runs its own scripts and styles from /swagger and calls this API; its page sets
    /// a few inline styles and draws images from data: URIs.
    /// </summary>
    private const string SwaggerCsp =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static WebApplicationBuilder AddHttpHardening(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddJakpreneurRateLimiting(builder.Configuration);

        // CORS only for the configured dashboard origins; none configured → no CORS at all.
        var origins = AllowedOrigins(builder.Configuration);
        services.AddCors(o =>
        {
            if (origins.Length > 0)
            {
                o.AddPolicy(CorsPolicy, p => p
                    .WithOrigins(origins)
                    .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
                    .WithHeaders(ApiKeyAuthenticationHandler.HeaderName, "Content-Type", "Accept", "Accept-Language",
                        "Idempotency-Key", "If-Match", "If-None-Match")
                    .WithExposedHeaders("ETag", "Location", "Retry-After", "Idempotent-Replayed")
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
            }
        });

        // HTTP logging (off unless HttpLogging:Enabled) may never write a key: the header is
        // dropped from the allow-list and bodies (POST /api-keys answers with a key) are never logged.
        services.AddHttpLogging(o => o.LoggingFields =
            HttpLoggingFields.RequestPropertiesAndHeaders | HttpLoggingFields.ResponsePropertiesAndHeaders | HttpLoggingFields.Duration);
        services.PostConfigure<HttpLoggingOptions>(o =>
        {
            o.RequestHeaders.Remove(ApiKeyAuthenticationHandler.HeaderName);
            o.RequestHeaders.Remove(HeaderNames.Authorization);
            o.RequestHeaders.Remove(HeaderNames.Cookie);
            o.LoggingFields &= ~(HttpLoggingFields.RequestBody | HttpLoggingFields.ResponseBody);
        });

        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        return builder;
    }

    /// <summary><c>Cors:AllowedOrigins</c>: absolute http(s) origins; a wildcard is refused at start-up.</summary>
    public static string[] AllowedOrigins(IConfiguration configuration)
    {
        var origins = configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        foreach (var origin in origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || origin.Contains('*') || origin.EndsWith('/'))
            {
                throw new InvalidOperationException(
                    $"Cors:AllowedOrigins holds '{origin}'; list exact origins such as https://dashboard.jakarta.go.id (no wildcard, no path).");
            }
        }
        return origins;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // On starting, so the headers survive the exception handler clearing the response.
            context.Response.OnStarting(static state =>
            {
                ApplySecurityHeaders((HttpContext)state);
                return Task.CompletedTask;
            }, context);
            return next(context);
        });

    public static WebApplication UseDashboardCors(this WebApplication app)
    {
        if (AllowedOrigins(app.Configuration).Length > 0)
        {
            app.UseCors(CorsPolicy);
        }
        return app;
    }

    public static WebApplication UseHttpLoggingWhenEnabled(this WebApplication app)
    {
        if (app.Configuration.GetValue("HttpLogging:Enabled", false))
        {
            app.UseHttpLogging();
        }
        return app;
    }

    private static void ApplySecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        var path = context.Request.Path;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = path.StartsWithSegments("/swagger") ? SwaggerCsp : ApiCsp;
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        }
        // Figures and keys must not linger in shared caches or browser history; endpoints with
        // their own caching (ETag reads) set Cache-Control themselves.
        if (path.StartsWithSegments("/api") && !headers.ContainsKey(HeaderNames.CacheControl))
        {
            headers.CacheControl = "no-store";
        }
    }
}
