using System.Net;
using Jakpreneur.Tests.Infrastructure;

namespace Jakpreneur.Tests.Access;

/// <summary>
/// The configured admin key across restarts. Each test starts the API several times on its own
/// database, so this fixture does not share <see cref="ApiTest"/>'s single app.
/// </summary>
[TestFixture(Providers.Sqlite)]
[TestFixture(Providers.SqlServer, Category = "SqlServer")]
public sealed class BootstrapKeyTests(string provider)
{
    private const string RotatedKey = "a-rotated-bootstrap-key-0123456789";

    private static JakpreneurApp Start(TestDatabase database, string? bootstrapKey = JakpreneurApp.AdminKey)
    {
        var app = new JakpreneurApp(database, new FakeTimeProvider(FakeTimeProvider.DefaultStart),
            new Dictionary<string, string?> { ["Auth:BootstrapAdminKey"] = bootstrapKey ?? "" });
        _ = app.Server;
        return app;
    }

    private static async Task<HttpStatusCode> StatusWithAsync(JakpreneurApp app, string key)
    {
        using var client = app.ClientWithKey(key);
        return (await client.GetAsync("/api/v1/api-keys")).StatusCode;
    }

    [Test]
    public async Task ShortBootstrapKeyStopsStartUpWithoutPrintingIt()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new JakpreneurApp(database, new FakeTimeProvider(FakeTimeProvider.DefaultStart),
            new Dictionary<string, string?> { ["Auth:BootstrapAdminKey"] = "admin12345" });

        var error = Assert.Catch(() => _ = app.Server);

        Assert.That(error!.ToString(), Does.Contain("Auth:BootstrapAdminKey").And.Not.Contain("admin12345"));
    }

    [Test]
    public async Task ChangingTheConfiguredKeyRotatesItAndRemovingItRevokesIt()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        HttpStatusCode first, oldAfterRotation, rotated, rotatedAfterRemoval;
        await using (var app = Start(database))
        {
            first = await StatusWithAsync(app, JakpreneurApp.AdminKey);
        }
        await using (var app = Start(database, RotatedKey))
        {
            oldAfterRotation = await StatusWithAsync(app, JakpreneurApp.AdminKey);
            rotated = await StatusWithAsync(app, RotatedKey);
        }
        await using (var app = Start(database, bootstrapKey: null))
        {
            rotatedAfterRemoval = await StatusWithAsync(app, RotatedKey);
        }

        Assert.That(first, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(oldAfterRotation, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(rotated, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rotatedAfterRemoval, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task ABootstrapKeyRevokedThroughTheApiStaysRevokedAfterRestart()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        HttpStatusCode revoke, afterRevoke, afterRestart;
        await using (var app = Start(database))
        {
            using var admin = app.ClientWithKey(JakpreneurApp.AdminKey);
            revoke = (await admin.DeleteAsync("/api/v1/api-keys/bootstrap")).StatusCode;
            afterRevoke = await StatusWithAsync(app, JakpreneurApp.AdminKey);
        }
        await using (var app = Start(database))
        {
            afterRestart = await StatusWithAsync(app, JakpreneurApp.AdminKey);
        }

        Assert.That(revoke, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(afterRevoke, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(afterRestart, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
