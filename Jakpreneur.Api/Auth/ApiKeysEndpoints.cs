using FluentValidation;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Regions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Auth;

/// <param name="Name">Who holds the key, e.g. "Sudin PPKUKM-UKM Jakarta Barat".</param>
/// <param name="Role">admin, kota, sudin, kelurahan or viewer.</param>
/// <param name="Kota">Kota code: required for kota and sudin keys, optional for viewer keys.</param>
/// <param name="Sudin">Sudin code: required for sudin keys.</param>
/// <param name="Kelurahan">Kelurahan code: required for kelurahan keys (their kota follows from it).</param>
/// <param name="ExpiresAt">ISO-8601 instant with offset, in the future; absent: the key does not expire.</param>
public sealed record ApiKeyRequest(string? Name, string? Role, string? Kota, string? Sudin, string? Kelurahan, string? ExpiresAt);

/// <summary>A key as listed: never its hash, never the key itself.</summary>
public sealed record ApiKeyResponse(
    string Id, string Name, string Role, string? Kota, string? Sudin, string? Kelurahan, string Prefix, string Status,
    DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyResponse From(ApiKeyRecord r, DateTimeOffset now) =>
        new(r.Id, r.Name, r.Role, r.Kota, r.Sudin, r.Kelurahan, r.Prefix, r.StatusAt(now), r.CreatedAt, r.CreatedBy, r.ExpiresAt, r.RevokedAt);
}

/// <summary>The answer to a new key: the only time <see cref="Key"/> is ever shown.</summary>
public sealed record ApiKeyCreatedResponse(
    string Id, string Key, string Name, string Role, string? Kota, string? Sudin, string? Kelurahan, string Prefix,
    DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt);

/// <summary>
/// Which scope fields each role takes: kota → kota; sudin → kota and sudin; kelurahan → kelurahan
/// (kota derived, and if sent it must match); viewer → kota optional; admin → none. Codes must exist.
/// </summary>
internal sealed class ApiKeyRequestValidator : AbstractValidator<ApiKeyRequest>
{
    public ApiKeyRequestValidator(RegionDirectory regions, TimeProvider time)
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
        RuleFor(x => x.Role).NotEmpty();
        RuleFor(x => x.Role)
            .Must(role => Roles.All.Contains(role))
            .When(x => !string.IsNullOrEmpty(x.Role))
            .WithMessage(x => L.T(
                $"Unknown role '{x.Role}'; use {string.Join(", ", Roles.All)}.",
                $"Peran '{x.Role}' tidak dikenal; gunakan {string.Join(", ", Roles.All)}."));
        RuleFor(x => x).Custom((request, context) => CheckScope(request, context, regions))
            .When(x => Roles.All.Contains(x.Role));
        RuleFor(x => x.ExpiresAt).Custom((text, context) =>
        {
            if (text is null)
            {
                return;
            }
            if (!Instants.TryParseInstant(text, out var expiresAt))
            {
                context.AddFailure("expiresAt", L.T(
                    $"'{text}' is not an ISO-8601 instant with an offset, e.g. 2021-12-31T23:59:59+07:00.",
                    $"'{text}' bukan waktu ISO-8601 dengan offset, misalnya 2021-12-31T23:59:59+07:00."));
            }
            else if (expiresAt <= time.GetUtcNow())
            {
                context.AddFailure("expiresAt", L.T("'expiresAt' must be in the future.", "'expiresAt' harus di masa depan."));
            }
        });
    }

    private static void CheckScope(ApiKeyRequest r, ValidationContext<ApiKeyRequest> context, RegionDirectory regions)
    {
        var role = r.Role!;
        var (kota, sudin, kelurahan) = role switch
        {
            Roles.Admin => (Field.Forbidden, Field.Forbidden, Field.Forbidden),
            Roles.Kota => (Field.Required, Field.Forbidden, Field.Forbidden),
            Roles.Sudin => (Field.Required, Field.Required, Field.Forbidden),
            Roles.Kelurahan => (Field.Optional, Field.Forbidden, Field.Required),
            _ => (Field.Optional, Field.Forbidden, Field.Forbidden),
        };
        Check(context, role, "kota", r.Kota, kota);
        Check(context, role, "sudin", r.Sudin, sudin);
        Check(context, role, "kelurahan", r.Kelurahan, kelurahan);

        if (kota != Field.Forbidden && r.Kota is not null && regions.Find(r.Kota, RegionLevel.Kota) is null)
        {
            context.AddFailure("kota", L.T($"Unknown kota code '{r.Kota}'.", $"Kode kota '{r.Kota}' tidak dikenal."));
        }
        if (sudin != Field.Forbidden && r.Sudin is not null && Sudin.Find(r.Sudin) is null)
        {
            context.AddFailure("sudin", L.T($"Unknown sudin code '{r.Sudin}'.", $"Kode sudin '{r.Sudin}' tidak dikenal."));
        }
        if (kelurahan != Field.Forbidden && r.Kelurahan is not null)
        {
            var found = regions.Find(r.Kelurahan, RegionLevel.Kelurahan);
            if (found is null)
            {
                context.AddFailure("kelurahan", L.T($"Unknown kelurahan code '{r.Kelurahan}'.", $"Kode kelurahan '{r.Kelurahan}' tidak dikenal."));
            }
            else if (r.Kota is not null && found.KotaCode != r.Kota)
            {
                context.AddFailure("kota", L.T(
                    $"Kelurahan '{r.Kelurahan}' lies in kota '{found.KotaCode}', not '{r.Kota}'.",
                    $"Kelurahan '{r.Kelurahan}' berada di kota '{found.KotaCode}', bukan '{r.Kota}'."));
            }
        }
    }

    private static void Check(ValidationContext<ApiKeyRequest> context, string role, string field, string? value, Field rule)
    {
        if (rule == Field.Required && string.IsNullOrEmpty(value))
        {
            context.AddFailure(field, L.T($"A {role} key needs '{field}'.", $"Kunci {role} memerlukan '{field}'."));
        }
        if (rule == Field.Forbidden && value is not null)
        {
            context.AddFailure(field, L.T($"'{field}' does not apply to a {role} key.", $"'{field}' tidak berlaku untuk kunci {role}."));
        }
    }

    private enum Field
    {
        Optional,
        Required,
        Forbidden,
    }
}

internal static class ApiKeysEndpoints
{
    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/api-keys").WithTags("Keys and audit").RequireAuthorization(AuthSetup.AdminPolicy);
        keys.MapPost("/", Create)
            .WithValidation<ApiKeyRequest>()
            .WithName("CreateApiKey")
            .WithSummary("Issue a key for a role and scope; the key is in this answer only. Admin only.");
        keys.MapGet("/", List)
            .WithName("ListApiKeys")
            .WithSummary("Every key with its role, scope and status (never the key or its hash). Admin only.");
        keys.MapGet("/{id}", Get)
            .WithName("GetApiKey")
            .WithSummary("One key (never the key or its hash). Admin only.");
        keys.MapDelete("/{id}", Revoke)
            .WithName("RevokeApiKey")
            .WithSummary("Revoke a key; requests carrying it are refused from now on. Admin only.");
        return app;
    }

    private static async Task<Created<ApiKeyCreatedResponse>> Create(
        ApiKeyQueries queries, HttpContext http, ApiKeyRequest request, CancellationToken ct)
    {
        // The validator has checked role, scope and codes; a kelurahan key's kota comes from its kelurahan (Core).
        DateTimeOffset? expiresAt = Instants.TryParseInstant(request.ExpiresAt, out var parsed) ? parsed.ToUniversalTime() : null;
        var (record, key) = await queries.CreateAsync(
            request.Name!.Trim(), request.Role!, request.Kota, request.Sudin, request.Kelurahan, expiresAt, http.Actor(), ct);
        return TypedResults.Created($"/api/v1/api-keys/{record.Id}", new ApiKeyCreatedResponse(
            record.Id, key, record.Name, record.Role, record.Kota, record.Sudin, record.Kelurahan, record.Prefix,
            record.ExpiresAt, record.CreatedAt));
    }

    private static async Task<Ok<IEnumerable<ApiKeyResponse>>> List(ApiKeyQueries queries, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok((await queries.ListAsync(ct)).Select(r => ApiKeyResponse.From(r, now)));
    }

    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> Get(
        ApiKeyQueries queries, TimeProvider time, string id, CancellationToken ct) =>
        await queries.FindAsync(id, ct) is { } record
            ? TypedResults.Ok(ApiKeyResponse.From(record, time.GetUtcNow()))
            : NoSuchKey(id);

    /// <summary>Revoking an already revoked key is a no-op 204, so a retried DELETE is harmless.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        ApiKeyQueries queries, HttpContext http, string id, CancellationToken ct) =>
        await queries.RevokeAsync(id, http.Actor(), ct) == RevokeOutcome.NotFound
            ? NoSuchKey(id)
            : TypedResults.NoContent();

    private static ProblemHttpResult NoSuchKey(string id) =>
        Problems.NotFound(L.T($"No API key has id '{id}'.", $"Tidak ada kunci API dengan id '{id}'."));
}
