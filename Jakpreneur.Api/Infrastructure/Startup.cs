using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Jakpreneur.Api.Auth;
using Jakpreneur.Core.Achievements;
using Jakpreneur.Core.Audit;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Demo;
using Jakpreneur.Core.Periods;
using Jakpreneur.Core.Regions;
using Jakpreneur.Core.Rollups;
using Jakpreneur.Core.Sosialisasi;
using Jakpreneur.Core.Targets;
using Jakpreneur.Jobs;
using Microsoft.AspNetCore.Localization;

namespace Jakpreneur.Api.Infrastructure;

internal static class Startup
{
    /// <summary>Everything the API needs: database, feature services, auth, validation, problems, Swagger.</summary>
    public static WebApplicationBuilder AddJakpreneurApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;

        // Configure the database: one Db for the configured provider, regions in memory.
        services.AddJakpreneurDatabase(config, builder.Environment.ContentRootPath);

        // Configure feature services (Core).
        services.AddSingleton<PeriodQueries>();
        services.AddSingleton<ApiKeyQueries>();
        services.AddSingleton<SosialisasiQueries>();
        services.AddSingleton<IDemoSeed, SosialisasiDemoSeed>();
        services.AddSingleton<AuditQueries>();

        // Configure contacts, outbox, reminders, reports and the scheduler (in process unless Jobs:InProcess=false).
        services.AddJakpreneurJobs(config);
        services.AddSingleton<TargetQueries>();
        services.AddSingleton<AchievementLedger>();
        services.AddSingleton<RollupCache>();
        services.AddSingleton<IDemoSeed, JakartaBaratDemoSeed>();

        // Configure HTTP conventions: JSON, problems, validation, languages, limits.
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton<IProblemDetailsWriter, AlwaysJsonProblemDetailsWriter>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions.TryAdd("traceId", Problems.TraceId());
            c.ProblemDetails.Detail ??= c.ProblemDetails.Title;
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddValidators();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = new[] { new CultureInfo("en"), new CultureInfo("id") };
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.RequestCultureProviders = [new AcceptLanguageHeaderRequestCultureProvider()];
        });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes);

        // Configure auth, abuse limits and Swagger.
        services.AddApiKeyAuth();
        builder.AddHttpHardening();
        services.AddJakpreneurSwagger();
        return builder;
    }

    /// <summary>Loads the Jakarta Barat 2020 example (<c>--seed-demo</c>): every feature's <see cref="IDemoSeed"/> in order.</summary>
    public static async Task SeedDemoAsync(this WebApplication app)
    {
        foreach (var seed in app.Services.GetServices<IDemoSeed>().OrderBy(s => s.Order))
        {
            await seed.SeedAsync(CancellationToken.None);
            app.Logger.LogInformation("Demo data: {Seed} loaded", seed.GetType().Name);
        }
    }

    /// <summary>Migrations, reference data and the bootstrap admin key, before the first request.</summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        var services = app.Services;
        await services.GetRequiredService<MigrationRunner>().RunAsync();
        await services.GetRequiredService<Seeder>().SeedAsync();
        _ = services.GetRequiredService<RegionDirectory>();
        var bootstrap = await services.GetRequiredService<ApiKeyQueries>()
            .EnsureBootstrapAsync(app.Configuration["Auth:BootstrapAdminKey"], CancellationToken.None);
        if (bootstrap.GeneratedKey is not null)
        {
            // Shown once, on the first start of an empty database, so an operator can create real keys.
            app.Logger.LogWarning("No Auth:BootstrapAdminKey is configured and no key existed. Generated admin key (shown once): {AdminKey}", bootstrap.GeneratedKey);
        }
        if (bootstrap.ConfiguredKeyRevoked)
        {
            app.Logger.LogWarning("Auth:BootstrapAdminKey names a key that was revoked through the API; it stays revoked until a different key is configured.");
        }
        if (bootstrap.BootstrapRevoked)
        {
            app.Logger.LogWarning("Auth:BootstrapAdminKey is no longer configured; the bootstrap admin key was revoked.");
        }
    }
}
