using Jakpreneur.Api.Achievements;
using Jakpreneur.Api.Audit;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Contacts;
using Jakpreneur.Api.Health;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Api.Jobs;
using Jakpreneur.Api.Notifications;
using Jakpreneur.Api.Periods;
using Jakpreneur.Api.Regions;
using Jakpreneur.Api.Reports;
using Jakpreneur.Api.Rollups;
using Jakpreneur.Api.Sosialisasi;
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

// Configure the pipeline: errors as problems, security headers, CORS, languages, limits, auth, rate limits.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSecurityHeaders();
app.UseHttpLoggingWhenEnabled();
app.UseDashboardCors();
app.UseRequestLocalization();
app.UseRequestBodyLimit();
app.UseSwagger();
app.UseSwaggerUI(o => o.DocumentTitle = "Jakpreneur API");
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

// Configure the endpoints, one feature at a time.
app.MapHealth();
app.MapRegions();
app.MapPeriods();
app.MapSosialisasi();
app.MapApiKeys();
app.MapAudit();
app.MapContacts();
app.MapNotifications();
app.MapReports();
app.MapJobs();
app.MapTargets();
app.MapAchievements();
app.MapRollups();

app.Run();
