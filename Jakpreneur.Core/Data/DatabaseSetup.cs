using Jakpreneur.Core.Achievements;
using Jakpreneur.Core.Regions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Jakpreneur.Core.Data;

public static class DatabaseSetup
{
    /// <summary>
    /// The configured database (<c>Database:*</c>, <c>ConnectionStrings:Jakpreneur</c>), its migrations
    /// and seed, the clock and the region tree: shared by the API and the standalone jobs worker.
    /// </summary>
    public static IServiceCollection AddJakpreneurDatabase(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var options = config.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.ConnectionString ??= config.GetConnectionString("Jakpreneur");
        services.AddSingleton(options);
        services.AddSingleton(Db.FromOptions(options, contentRoot));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<Seeder>();
        services.AddHostedService<WalCheckpointer>();
        services.AddSingleton<DailyAggregateFolder>();
        services.AddHostedService(sp => sp.GetRequiredService<DailyAggregateFolder>());
        services.AddSingleton(sp => RegionDirectory.LoadAsync(sp.GetRequiredService<Db>()).GetAwaiter().GetResult());
        return services;
    }
}
