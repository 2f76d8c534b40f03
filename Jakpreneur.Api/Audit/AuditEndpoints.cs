using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Regions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Audit;

/// <summary>One write: who (key id), what (action on entity), when, and the state before and after.</summary>
public sealed record AuditItem(
    long Id, DateTimeOffset At, string? KeyId, string Action, string Entity, string EntityId, string? Kota,
    JsonElement? Before, JsonElement? After, string? RequestId)
{
    public static AuditItem From(AuditEntry e) =>
        new(e.Id, e.At, e.KeyId, e.Action, e.Entity, e.EntityId, e.Kota, Parse(e.BeforeJson), Parse(e.AfterJson), e.RequestId);

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

public sealed record AuditPage(IReadOnlyList<AuditItem> Items, string? NextCursor);

internal static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", List)
            .WithTags("Keys and audit")
            .WithName("ListAudit")
            .WithSummary("Every write, newest first: admin sees all, a kota key the rows of its own kota. " +
                         "Filters: entity, entityId, kota, from/to (dates in WIB or instants), limit (≤ 1000), cursor.");
        return app;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem, ProblemHttpResult>> List(
        AuditQueries queries, RegionDirectory regions, HttpContext http,
        string? entity, string? entityId, string? kota, string? from, string? to, string? limit, string? cursor,
        CancellationToken ct)
    {
        var caller = http.Caller();
        if (!caller.IsAdmin && !caller.CanReadAudit(kota ?? caller.Kota))
        {
            return Problems.Forbidden(caller.Role == Core.Auth.Roles.Kota
                ? L.T($"A kota key reads only the audit rows of kota '{caller.Kota}'.", $"Kunci kota hanya dapat membaca catatan audit kota '{caller.Kota}'.")
                : L.T("Only admin and kota keys read the audit trail.", "Hanya kunci admin dan kota yang dapat membaca jejak audit."));
        }

        var errors = new Dictionary<string, string[]>();
        if (kota is not null && regions.Find(kota, RegionLevel.Kota) is null)
        {
            errors["kota"] = [L.T($"Unknown kota code '{kota}'.", $"Kode kota '{kota}' tidak dikenal.")];
        }
        var start = ParseBound(from, "from", upper: false, errors);
        var end = ParseBound(to, "to", upper: true, errors);
        if (start is not null && end is not null && start >= end)
        {
            errors["to"] = [L.T("'to' must not be before 'from'.", "'to' tidak boleh sebelum 'from'.")];
        }
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            errors["limit"] = [L.T($"'limit' is a whole number from 1 to {MaxLimit}.", $"'limit' adalah bilangan bulat 1 sampai {MaxLimit}.")];
        }
        long? afterId = null;
        if (cursor is not null)
        {
            afterId = DecodeCursor(cursor);
            if (afterId is null)
            {
                errors["cursor"] = [L.T("The cursor is not one this API returned.", "Cursor ini bukan dari API ini.")];
            }
        }
        if (entity is { Length: > 40 })
        {
            errors["entity"] = [L.T("'entity' has at most 40 characters.", "'entity' paling banyak 40 karakter.")];
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var filter = new AuditFilter(entity, entityId, caller.IsAdmin ? kota : caller.Kota, start, end, afterId, take);
        var (rows, more) = await queries.ListAsync(filter, ct);
        return TypedResults.Ok(new AuditPage(
            rows.Select(AuditItem.From).ToList(),
            more ? EncodeCursor(rows[^1].Id) : null));
    }

    /// <summary>
    /// A date means the whole WIB day (from its start, or up to the next day's start); an instant
    /// is taken as is (<c>to</c> inclusive). Returns the lower bound inclusive or the upper bound exclusive.
    /// </summary>
    private static DateTimeOffset? ParseBound(string? text, string field, bool upper, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (Instants.TryParseDate(text, out var date))
        {
            return upper && date == DateOnly.MaxValue ? DateTimeOffset.MaxValue : Wib.StartOf(upper ? date.AddDays(1) : date);
        }
        if (Instants.TryParseInstant(text, out var instant))
        {
            return upper && instant.UtcTicks < DateTimeOffset.MaxValue.UtcTicks ? instant.AddTicks(1) : instant;
        }
        errors[field] = [L.T(
            $"'{text}' is neither a date (YYYY-MM-DD) nor an ISO-8601 instant with an offset.",
            $"'{text}' bukan tanggal (YYYY-MM-DD) maupun waktu ISO-8601 dengan offset.")];
        return null;
    }

    private static string EncodeCursor(long id) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"audit:{id}"));

    private static long? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("audit:", StringComparison.Ordinal)
                   && long.TryParse(text.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? id
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
