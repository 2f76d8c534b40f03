using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Regions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Regions;

public sealed record RegionResponse(string Code, string Name, string Level, string? ParentCode);

public sealed record RegionDetailResponse(string Code, string Name, string Level, string? ParentCode, IReadOnlyList<RegionResponse> Children);

public sealed record SudinResponse(string Code, string Name);

internal static class RegionsEndpoints
{
    public static IEndpointRouteBuilder MapRegions(this IEndpointRouteBuilder app)
    {
        var regions = app.MapGroup("/api/v1/regions").WithTags("Reference");
        regions.MapGet("/", List)
            .WithName("ListRegions")
            .WithSummary("Kota, kecamatan and kelurahan of DKI Jakarta with Kemendagri codes (filter by level and parent).");
        regions.MapGet("/{code}", Get)
            .WithName("GetRegion")
            .WithSummary("One region with its direct children.");

        app.MapGet("/api/v1/sudin", () => TypedResults.Ok(Sudin.All.Select(s => new SudinResponse(s.Code, s.Name))))
            .WithTags("Reference")
            .WithName("ListSudin")
            .WithSummary("The seven sudin (city-level agencies) that share a walikota's target.");
        return app;
    }

    private static Results<Ok<IEnumerable<RegionResponse>>, ValidationProblem> List(
        RegionDirectory directory, string? level, string? parent)
    {
        if (level is not null && !RegionLevel.Queryable.Contains(level))
        {
            return Problems.Validation("level", L.T(
                $"Unknown level '{level}'; use kota, kecamatan or kelurahan.",
                $"Tingkat '{level}' tidak dikenal; gunakan kota, kecamatan, atau kelurahan."));
        }
        if (parent is not null && directory.Find(parent) is null && parent != "31")
        {
            return Problems.Validation("parent", L.T($"Unknown region code '{parent}'.", $"Kode wilayah '{parent}' tidak dikenal."));
        }
        var rows = directory.All
            .Where(r => level is null || r.Level == level)
            .Where(r => parent is null || r.ParentCode == parent)
            .Select(ToResponse);
        return TypedResults.Ok(rows);
    }

    private static Results<Ok<RegionDetailResponse>, ProblemHttpResult> Get(RegionDirectory directory, string code)
    {
        var region = directory.Find(code);
        if (region is null || region.Level == RegionLevel.Provinsi)
        {
            return Problems.NotFound(L.T($"No region has code '{code}'.", $"Tidak ada wilayah dengan kode '{code}'."));
        }
        return TypedResults.Ok(new RegionDetailResponse(
            region.Code, region.Name, region.Level, region.ParentCode,
            directory.Children(region.Code).Select(ToResponse).ToList()));
    }

    private static RegionResponse ToResponse(Region r) => new(r.Code, r.Name, r.Level, r.ParentCode);
}
