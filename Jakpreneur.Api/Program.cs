using Jakpreneur.Api.Achievements;
using Jakpreneur.Api.Health;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Api.Periods;
using Jakpreneur.Api.Regions;
using Jakpreneur.Api.Rollups;
using Jakpreneur.Api.Targets;

var builder = WebApplication.CreateBuilder(args);

// Configure services: database, features, auth, validation, Swagger.
builder.AddJakpreneurApi();

var app = builder.Build();

// Configure the database: migrations, regions, sudin, bootstrap key.
await app.InitializeDatabaseAsync();
if (args.Contains("--migrate-only"))
{
    app.Logger.LogInformation("Migrations applied; exiting (--migrate-only).");
    return;
}
if (args.Contains("--seed-demo"))
{
    await app.SeedDemoAsync();
}

// Configure the pipeline: errors as problems, languages, limits, auth.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLocalization();
app.UseRequestBodyLimit();
app.UseSwagger();
app.UseSwaggerUI(o => o.DocumentTitle = "Jakpreneur API");
app.UseAuthentication();
app.UseAuthorization();

// Configure the endpoints, one feature at a time.
app.MapHealth();
app.MapRegions();
app.MapPeriods();
app.MapTargets();
app.MapAchievements();
app.MapRollups();

app.Run();
