using System.Net.Mail;
using FluentValidation;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Contacts;
using Jakpreneur.Core.Regions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jakpreneur.Api.Contacts;

public sealed record ContactRequest(string? Name, string? Email, string? WebhookUrl);

public sealed record ContactResponse(
    string Region, string Level, string Kota, string? Kecamatan, string Name, string? Email, string? WebhookUrl,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ContactResponse From(Contact c) =>
        new(c.Region, c.Level, c.Kota, c.Kecamatan, c.Name, c.Email, c.WebhookUrl, c.CreatedAt, c.UpdatedAt);
}

internal sealed class ContactRequestValidator : AbstractValidator<ContactRequest>
{
    public ContactRequestValidator(IHostEnvironment environment)
    {
        // Development and the test suite may point webhooks at a local http listener; production needs TLS.
        var allowHttp = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
        RuleFor(x => x)
            .Must(x => !string.IsNullOrWhiteSpace(x.Email) || !string.IsNullOrWhiteSpace(x.WebhookUrl))
            .WithName("email")
            .OverridePropertyName("email")
            .WithMessage(_ => L.T("Give at least one channel: 'email' or 'webhookUrl'.", "Isi sedikitnya satu saluran: 'email' atau 'webhookUrl'."));
        RuleFor(x => x.Email)
            .Must(IsEmail).When(x => !string.IsNullOrWhiteSpace(x.Email))
            .WithMessage(_ => L.T("'email' is not a valid email address.", "'email' bukan alamat email yang sah."));
        RuleFor(x => x.WebhookUrl)
            .Must(u => IsWebhookUrl(u, allowHttp)).When(x => !string.IsNullOrWhiteSpace(x.WebhookUrl))
            .WithMessage(_ => allowHttp
                ? L.T("'webhookUrl' must be an absolute http or https URL.", "'webhookUrl' harus URL http atau https yang lengkap.")
                : L.T("'webhookUrl' must be an absolute https URL.", "'webhookUrl' harus URL https yang lengkap."));
    }

    /// <summary>One plain address (local@domain.tld), no display name, no list.</summary>
    public static bool IsEmail(string? email) =>
        email is { Length: <= 320 }
        && MailAddress.TryCreate(email, out var address)
        && address.Address == email
        && string.IsNullOrEmpty(address.DisplayName)
        && address.Host.Contains('.', StringComparison.Ordinal)
        && !address.Host.StartsWith('.') && !address.Host.EndsWith('.');

    public static bool IsWebhookUrl(string? url, bool allowHttp) =>
        url is { Length: <= 2000 }
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (allowHttp && uri.Scheme == Uri.UriSchemeHttp))
        && string.IsNullOrEmpty(uri.UserInfo);
}

internal static class ContactsEndpoints
{
    public static IEndpointRouteBuilder MapContacts(this IEndpointRouteBuilder app)
    {
        var contacts = app.MapGroup("/api/v1/contacts").WithTags("Contacts");
        contacts.MapGet("/", List)
            .WithName("ListContacts")
            .WithSummary("Contacts of a region and everything under it (?parent=CODE), within the key's kota.");
        contacts.MapPut("/{regionCode}", Put)
            .WithValidation<ContactRequest>()
            .WithName("PutContact")
            .WithSummary("Create (201) or update (200) the reminder contact of a kelurahan (lurah), kecamatan (camat) or kota (economy office).");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<ContactResponse>>, ProblemHttpResult, ValidationProblem>> List(
        ContactQueries queries, RegionDirectory regions, HttpContext http, string? parent, CancellationToken ct)
    {
        var caller = http.Caller();
        if (!caller.CanRead(caller.ReadScopeKota))
        {
            return Problems.Forbidden();
        }
        if (parent is not null)
        {
            if (regions.Find(parent) is not { } region || region.Level == RegionLevel.Provinsi)
            {
                return Problems.Validation("parent", L.T($"Unknown region code '{parent}'.", $"Kode wilayah '{parent}' tidak dikenal."));
            }
            if (!caller.CanRead(region.KotaCode))
            {
                return Problems.Forbidden();
            }
        }
        var rows = await queries.ListAsync(parent, caller.ReadScopeKota, ct);
        return TypedResults.Ok<IReadOnlyList<ContactResponse>>(rows.Select(ContactResponse.From).ToList());
    }

    private static async Task<Results<Created<ContactResponse>, Ok<ContactResponse>, ProblemHttpResult>> Put(
        ContactQueries queries, RegionDirectory regions, HttpContext http, string regionCode, ContactRequest request, CancellationToken ct)
    {
        if (regions.Find(regionCode) is not { } region || region.Level == RegionLevel.Provinsi)
        {
            return Problems.NotFound(L.T($"No region has code '{regionCode}'.", $"Tidak ada wilayah dengan kode '{regionCode}'."));
        }
        if (!http.Caller().CanManage(region.KotaCode!))
        {
            return Problems.Forbidden(L.T(
                $"This API key may not manage contacts of kota {region.KotaCode}.",
                $"Kunci API ini tidak berhak mengelola kontak kota {region.KotaCode}."));
        }
        var (contact, created) = await queries.UpsertAsync(
            region, request.Name!.Trim(), Blank(request.Email), Blank(request.WebhookUrl), http.Actor(), ct);
        var response = ContactResponse.From(contact);
        return created ? TypedResults.Created($"/api/v1/contacts/{regionCode}", response) : TypedResults.Ok(response);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
