using System.Globalization;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Notifications;
using Jakpreneur.Core.Regions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Notifications;

public sealed record NotificationResponse(
    long Id, string Kind, string? Campaign, string Region, string Stage, string Channel, string Status, long Attempts,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt)
{
    public static NotificationResponse From(Notification n) => new(
        n.Id, n.Kind, n.Campaign, n.Region, n.Stage, n.Channel, n.Status, n.Attempts, n.LastError, n.CreatedAt, n.SentAt,
        n.Status is NotificationStatus.Pending or NotificationStatus.Failed ? n.NextAttemptAt : null);
}

public sealed record NotificationPage(IReadOnlyList<NotificationResponse> Items, string? NextCursor);

internal static class NotificationsEndpoints
{
    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/notifications", List)
            .WithTags("Notifications")
            .WithName("ListNotifications")
            .WithSummary("The reminder and report outbox, newest first (filter by campaign, region, status; keyset pages by cursor).");
        return app;
    }

    private static async Task<Results<Ok<NotificationPage>, ProblemHttpResult, ValidationProblem>> List(
        NotificationQueries queries, RegionDirectory regions, HttpContext http,
        string? campaign, string? region, string? status, int? limit, string? cursor, CancellationToken ct)
    {
        var caller = http.Caller();
        if (status is not null && !NotificationStatus.All.Contains(status))
        {
            return Problems.Validation("status", L.T(
                $"Unknown status '{status}'; use pending, sent, failed or dead.",
                $"Status '{status}' tidak dikenal; gunakan pending, sent, failed, atau dead."));
        }
        if (limit is < 1 or > 1000)
        {
            return Problems.Validation("limit", L.T("'limit' must be between 1 and 1000.", "'limit' harus antara 1 dan 1000."));
        }
        long? after = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Problems.Validation("cursor", L.T("'cursor' is not a cursor this API returned.", "'cursor' bukan kursor dari API ini."));
            }
            after = parsed;
        }
        if (!caller.CanRead(caller.ReadScopeKota))
        {
            return Problems.Forbidden();
        }
        if (region is not null)
        {
            if (regions.Find(region) is not { } r || r.Level == RegionLevel.Provinsi)
            {
                return Problems.Validation("region", L.T($"Unknown region code '{region}'.", $"Kode wilayah '{region}' tidak dikenal."));
            }
            if (!caller.CanRead(r.KotaCode))
            {
                return Problems.Forbidden();
            }
        }
        var take = limit ?? 100;
        var rows = await queries.ListAsync(new NotificationFilter(campaign, region, status, caller.ReadScopeKota, after, take + 1), ct);
        var page = rows.Take(take).Select(NotificationResponse.From).ToList();
        var next = rows.Count > take ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new NotificationPage(page, next));
    }
}
