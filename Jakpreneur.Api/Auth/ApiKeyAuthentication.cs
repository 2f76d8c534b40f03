using System.Security.Claims;
using System.Text.Encodings.Web;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Jakpreneur.Api.Auth;

/// <summary>Authenticates the <c>X-Api-Key</c> header against the stored key hashes.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyQueries keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }
        if (values.Count > 1 || string.IsNullOrWhiteSpace(values[0]) || values[0]!.Length > 200)
        {
            return AuthenticateResult.Fail("Malformed API key header.");
        }
        var caller = await keys.AuthenticateAsync(values[0]!.Trim(), Context.RequestAborted);
        if (caller is null)
        {
            // Never log the presented key.
            return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        }
        Context.Items[typeof(Caller)] = caller;
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, caller.KeyId),
            new(ClaimTypes.Name, caller.Name),
            new(ClaimTypes.Role, caller.Role),
        };
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // RFC 9110 §11.6.1: a 401 names how to authenticate.
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Problems.Make(StatusCodes.Status401Unauthorized, L.T("Unauthorized", "Tidak terautentikasi"),
                Request.Headers.ContainsKey(HeaderName)
                    ? L.T("The X-Api-Key is unknown, revoked or expired.", "X-Api-Key tidak dikenal, dicabut, atau kedaluwarsa.")
                    : L.T("Send an API key in the X-Api-Key header.", "Kirim kunci API pada header X-Api-Key."))
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Forbidden().ExecuteAsync(Context);
}

internal static class CallerExtensions
{
    /// <summary>The authenticated caller; endpoints run only after authentication succeeded.</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Items[typeof(Caller)] as Caller
        ?? throw new InvalidOperationException("No authenticated caller on this request.");

    /// <summary>The key and request behind a write, stamped with the injected clock for the audit row.</summary>
    public static Actor Actor(this HttpContext context) =>
        new Actor(context.Caller().KeyId, context.TraceIdentifier).StampedBy(context.RequestServices.GetRequiredService<TimeProvider>());
}
