using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jakpreneur.Jobs;

/// <summary>
/// The scheduler on its own (<c>dotnet run --project Jakpreneur.Jobs</c>), for deployments that run
/// the API with <c>Jobs:InProcess=false</c>. Same configuration keys as the API.
/// </summary>
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);

        // Configure the database: the API's own settings and migrations.
        builder.Services.AddJakpreneurDatabase(builder.Configuration, builder.Environment.ContentRootPath);

        // Configure the jobs, always with the scheduler in this process.
        builder.Services.AddJakpreneurJobs(builder.Configuration, runScheduler: true);

        using var host = builder.Build();
        await host.Services.GetRequiredService<MigrationRunner>().RunAsync();
        await host.Services.GetRequiredService<Seeder>().SeedAsync();
        await host.RunAsync();
    }
}
