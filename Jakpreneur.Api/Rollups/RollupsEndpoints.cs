using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Api.Targets;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Periods;
using Jakpreneur.Core.Regions;
using Jakpreneur.Core.Rollups;
using Jakpreneur.Core.Targets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Jakpreneur.Api.Rollups;

internal static class RollupsEndpoints
{
    public static IEndpointRouteBuilder MapRollups(this IEndpointRouteBuilder app)
    {
        var rollup = app.MapGroup("/api/v1/periods/{period}/rollup").WithTags("Roll-ups");
        rollup.MapGet("/", Province)
            .WithName("ProvinceRollup")
            .WithSummary("Target, achieved, percent and remaining per kota and for DKI as of a date (default today, WIB). " +
                         "A key limited to a kota sees only that kota (scopeKota says so). ETag + If-None-Match answers 304.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        rollup.MapGet("/{kota}", Kota)
            .WithName("KotaRollup")
            .WithSummary("One kota as of a date: every sudin, the walikota total reconciled with the declared total, and achieved per kecamatan and sudin.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        rollup.MapGet("/{kota}/kelurahan", Kelurahan)
            .WithName("KelurahanRollup")
            .WithSummary("Achieved per kelurahan and sudin of a kota (optionally one kecamatan) as of a date.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<ProvinceRollup>, StatusCodeHttpResult, ProblemHttpResult, ValidationProblem>> Province(
        PeriodQueries periods, RollupQueries rollups, RollupCache cache, RegionDirectory regions, TimeProvider time, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        HttpContext http, string period, string? asOf, CancellationToken ct)
    {
        if (await periods.FindAsync(period, ct) is null)
        {
            return TargetsEndpoints.UnknownPeriod(period);
        }
        if (!TryAsOf(asOf, time, out var date, out var invalid))
        {
            return invalid!;
        }
        var caller = http.Caller();
        var scope = caller.ReadScopeKota;
        if (!caller.CanRead(scope))
        {
            return Problems.Forbidden();
        }
        return await AnswerAsync(http, rollups, cache, period, $"province|{period}|{scope}|{date:O}", async () =>
        {
            var achieved = await rollups.AchievedByKotaAsync(period, scope, date, ct);
            var targets = await rollups.TargetsAsync(period, scope, ct);
            return Tagged(RollupMath.Province(period, date, regions.Kota, targets, achieved, scope), json.Value.SerializerOptions);
        });
    }

    private static async Task<Results<Ok<KotaRollup>, StatusCodeHttpResult, ProblemHttpResult, ValidationProblem>> Kota(
        PeriodQueries periods, RollupQueries rollups, RollupCache cache, TargetQueries targetQueries, RegionDirectory regions, TimeProvider time,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, HttpContext http, string period, string kota, string? asOf, CancellationToken ct)
    {
        if (await CheckAsync(periods, regions, period, kota, ct) is { } problem)
        {
            return problem;
        }
        if (!TryAsOf(asOf, time, out var date, out var invalid))
        {
            return invalid!;
        }
        if (!http.Caller().CanRead(kota))
        {
            return Problems.Forbidden();
        }
        return await AnswerAsync(http, rollups, cache, period, $"kota|{period}|{kota}|{date:O}", async () =>
        {
            var achieved = await rollups.AchievedAsync(period, kota, date, ct);
            var targets = await rollups.TargetsAsync(period, kota, ct);
            var declared = await targetQueries.FindDeclaredAsync(period, kota, ct);
            return Tagged(RollupMath.Kota(period, date, regions.Find(kota)!, regions, targets, achieved.Select(a => a.AsOf()), declared?.Total, declared?.Source),
                json.Value.SerializerOptions);
        });
    }

    private static async Task<Results<Ok<IReadOnlyList<KelurahanAchieved>>, StatusCodeHttpResult, ProblemHttpResult, ValidationProblem>> Kelurahan(
        PeriodQueries periods, RollupQueries rollups, RollupCache cache, RegionDirectory regions, TimeProvider time,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, HttpContext http, string period, string kota, string? kecamatan, string? asOf,
        CancellationToken ct)
    {
        if (await CheckAsync(periods, regions, period, kota, ct) is { } problem)
        {
            return problem;
        }
        if (kecamatan is not null && regions.Find(kecamatan, RegionLevel.Kecamatan)?.KotaCode != kota)
        {
            return Problems.Validation("kecamatan", L.T(
                $"'{kecamatan}' is not a kecamatan of kota {kota}.", $"'{kecamatan}' bukan kecamatan di kota {kota}."));
        }
        if (!TryAsOf(asOf, time, out var date, out var invalid))
        {
            return invalid!;
        }
        if (!http.Caller().CanRead(kota))
        {
            return Problems.Forbidden();
        }
        return await AnswerAsync(http, rollups, cache, period, $"kelurahan|{period}|{kota}|{kecamatan}|{date:O}", async () =>
        {
            var achieved = await rollups.AchievedAsync(period, kota, date, ct);
            var kelurahan = regions.KelurahanUnder(kecamatan ?? kota);
            return Tagged(RollupMath.Kelurahan(kelurahan, achieved.Select(a => a.AsOf())), json.Value.SerializerOptions);
        });
    }

    private static async Task<ProblemHttpResult?> CheckAsync(PeriodQueries periods, RegionDirectory regions, string period, string kota, CancellationToken ct)
    {
        if (await periods.FindAsync(period, ct) is null)
        {
            return TargetsEndpoints.UnknownPeriod(period);
        }
        return regions.Find(kota, RegionLevel.Kota) is null
            ? Problems.NotFound(L.T($"No kota has code '{kota}'.", $"Tidak ada kota dengan kode '{kota}'."))
            : null;
    }

    private static bool TryAsOf(string? value, TimeProvider time, out DateOnly date, out ValidationProblem? problem)
    {
        problem = null;
        if (value is null)
        {
            date = Wib.Today(time);
            return true;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return true;
        }
        problem = Problems.Validation("asOf", L.T($"'{value}' is not a date (YYYY-MM-DD).", $"'{value}' bukan tanggal (YYYY-MM-DD)."));
        return false;
    }

    /// <summary>A roll-up with its ETag: a hash of the figures themselves, so it changes exactly when the answer does.</summary>
    private sealed record TaggedRollup<T>(T Body, string ETag, long Length);

    private static TaggedRollup<T> Tagged<T>(T body, JsonSerializerOptions options)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body, options);
        var hash = SHA256.HashData(json);
        return new TaggedRollup<T>(body, $"\"{Convert.ToHexStringLower(hash.AsSpan(0, 16))}\"", json.Length);
    }

    /// <summary>The roll-up for <paramref name="key"/>, reused while the period's stamp holds, answered with its ETag (304 on a match).</summary>
    private static async Task<Results<Ok<T>, StatusCodeHttpResult, ProblemHttpResult, ValidationProblem>> AnswerAsync<T>(
        HttpContext http, RollupQueries rollups, RollupCache cache, string period, string key, Func<Task<TaggedRollup<T>>> compute)
    {
        var stamp = await rollups.StampAsync(period, http.RequestAborted);
        return Conditional(http, await cache.GetOrComputeAsync(key, stamp, compute, t => t.Length));
    }

    private static Results<Ok<T>, StatusCodeHttpResult, ProblemHttpResult, ValidationProblem> Conditional<T>(HttpContext http, TaggedRollup<T> tagged)
    {
        http.Response.Headers.ETag = tagged.ETag;
        http.Response.Headers.CacheControl = "private, no-cache";
        var ifNoneMatch = http.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length > 0 && ifNoneMatch.Split(',', StringSplitOptions.TrimEntries)
                .Any(tag => tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == tagged.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Ok(tagged.Body);
    }
}
