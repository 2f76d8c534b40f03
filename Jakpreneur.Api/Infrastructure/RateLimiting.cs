using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Jakpreneur.Api.Infrastructure;

internal sealed class RateLimitingOptions
{
    public bool Enabled { get; set; } = true;

    public int PermitsPerMinute { get; set; } = 600;
}

/// <summary>
/// Per-key request budgets with the built-in rate limiter: one fixed one-minute window per API
/// key id (requests without a valid key share one window per remote address, which also slows
/// key guessing). Health probes and Swagger are never limited.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddJakpreneurRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimiting").Get<RateLimitingOptions>() ?? new RateLimitingOptions();
        if (options.Enabled && options.PermitsPerMinute < 1)
        {
            throw new InvalidOperationException("RateLimiting:PermitsPerMinute must be at least 1 (or set RateLimiting:Enabled=false).");
        }
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => RejectAsync(context, options.PermitsPerMinute);
            if (options.Enabled)
            {
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, options.PermitsPerMinute));
            }
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext http, int permitsPerMinute)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/health") || path.StartsWithSegments("/swagger"))
        {
            return RateLimitPartition.GetNoLimiter("open");
        }
        var partition = http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } keyId
            ? "key:" + keyId
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, int permitsPerMinute)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problems.Make(StatusCodes.Status429TooManyRequests, L.T("Too many requests", "Terlalu banyak permintaan"),
                L.T($"This API key may send {permitsPerMinute} requests per minute; retry after {seconds} seconds.",
                    $"Kunci API ini boleh mengirim {permitsPerMinute} permintaan per menit; coba lagi setelah {seconds} detik."))
            .ExecuteAsync(context.HttpContext);
    }
}
