using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Jakpreneur.Core.Achievements;
using Jakpreneur.Core.Data;
using Jakpreneur.Core.Regions;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jakpreneur.Tests.Rollups;

/// <summary>
/// After a random (seeded, so reproducible) mix of posts, batches, replays and reversals, the
/// aggregate tables equal GROUP BY sums over the ledger, and every roll-up agrees with the ledger:
/// with part of the ledger folded into the daily figures (SQLite folds in the background; here
/// only on request), and again with all of it.
/// </summary>
public sealed class LedgerConsistencyTests(string provider) : ApiTest(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Database:DailyFoldInterval"] = "00:00:00",
    };

    private static readonly string[] Kelurahan =
        ["31.73.01.1001", "31.73.01.1002", "31.73.02.1001", "31.73.08.1001", "31.75.01.1001", "31.75.02.1002", "31.01.01.1001"];

    private sealed record LedgerSum(string Kelurahan, string Sudin, string Date, long Achieved);

    [Test]
    public async Task AggregatesEqualLedgerSumsAfterARandomSequenceAndRollupsAgree()
    {
        var period = await NewPeriodAsync();
        var random = new Random(20201210);
        var ids = new List<long>();
        var reversed = new HashSet<long>();
        var batches = new List<(string Key, object[] Entries)>();
        object RandomEntry() => new
        {
            period,
            kelurahan = Kelurahan[random.Next(Kelurahan.Length)],
            sudin = Sudin.All[random.Next(Sudin.All.Count)].Code,
            count = random.Next(1, 60),
            date = new DateOnly(2020, 1, 1).AddDays(random.Next(0, 344)).ToString("yyyy-MM-dd"),
        };

        var folder = App.Services.GetRequiredService<DailyAggregateFolder>();
        for (var step = 0; step < 80; step++)
        {
            if (step == 40)
            {
                await folder.FoldAsync(CancellationToken.None);
            }
            var roll = random.Next(100);
            if (roll < 40)
            {
                var response = await Admin.PostAsJsonAsync("/api/v1/achievements", RandomEntry());
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
                ids.Add((await ReadJsonAsync(response)).GetProperty("id").GetInt64());
            }
            else if (roll < 65)
            {
                var entries = Enumerable.Range(0, random.Next(1, 40)).Select(_ => RandomEntry()).ToArray();
                var key = Guid.NewGuid().ToString();
                batches.Add((key, entries));
                Assert.That((await PostBatchAsync(key, entries)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
            }
            else if (roll < 75 && batches.Count > 0)
            {
                var (key, entries) = batches[random.Next(batches.Count)];
                var replay = await PostBatchAsync(key, entries);
                Assert.That(replay.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
            }
            else if (ids.Count > 0)
            {
                var id = ids[random.Next(ids.Count)];
                var response = await Admin.PostAsJsonAsync($"/api/v1/achievements/{id}/reversal", new { reason = "random reversal" });
                Assert.That(response.StatusCode, Is.EqualTo(reversed.Add(id) ? HttpStatusCode.Created : HttpStatusCode.Conflict));
            }
        }

        var db = new Db(App.Database.Provider, App.Database.ConnectionString);
        await using var connection = await db.OpenAsync();
        if (Provider == Providers.Sqlite)
        {
            Assert.That(await UnfoldedAsync(connection, period), Is.GreaterThan(0), "the second half of the sequence is not folded yet");
        }
        var ledgerDaily = (await connection.QueryAsync<LedgerSum>(
            """
            SELECT kelurahan AS Kelurahan, sudin AS Sudin, date AS Date, SUM(count) AS Achieved
            FROM achievements WHERE period = @period GROUP BY kelurahan, sudin, date
            """, new { period })).ToList();
        var ledgerTotals = (await connection.QueryAsync<(string, string, long)>(
            "SELECT kelurahan, sudin, SUM(count) FROM achievements WHERE period = @period GROUP BY kelurahan, sudin",
            new { period })).ToList();
        var aggregateTotals = (await connection.QueryAsync<(string, string, long)>(
            "SELECT kelurahan, sudin, achieved FROM achievement_totals WHERE period = @period", new { period })).ToList();

        Assert.That(ledgerDaily.Count, Is.GreaterThan(50), "the sequence should touch many cells");
        Assert.That(reversed, Is.Not.Empty);
        Assert.That(aggregateTotals, Is.EquivalentTo(ledgerTotals));
        await AssertRollupsAgreeAsync(period, ledgerDaily);

        await folder.FoldAsync(CancellationToken.None);
        var aggregateDaily = (await connection.QueryAsync<LedgerSum>(
            "SELECT kelurahan AS Kelurahan, sudin AS Sudin, date AS Date, achieved AS Achieved FROM achievement_daily WHERE period = @period",
            new { period })).ToList();
        Assert.That(await UnfoldedAsync(connection, period), Is.Zero);
        Assert.That(aggregateDaily, Is.EquivalentTo(ledgerDaily));
        await AssertRollupsAgreeAsync(period, ledgerDaily);
    }

    private static Task<long> UnfoldedAsync(System.Data.Common.DbConnection connection, string period) =>
        connection.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM achievements
            WHERE period = @period AND id > (SELECT last_id FROM aggregate_progress WHERE name = 'achievement_daily')
            """, new { period });

    private async Task AssertRollupsAgreeAsync(string period, List<LedgerSum> ledgerDaily)
    {
        foreach (var asOf in new[] { "2020-01-01", "2020-03-15", "2020-07-01", "2020-10-31", "2020-12-10" })
        {
            var upTo = ledgerDaily.Where(d => string.CompareOrdinal(d.Date, asOf) <= 0).ToList();
            long Expected(Func<LedgerSum, bool> where) => upTo.Where(where).Sum(d => d.Achieved);

            var province = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup?asOf={asOf}"));
            foreach (var kota in province.GetProperty("kota").EnumerateArray())
            {
                var code = kota.GetProperty("code").GetString()!;
                Assert.That(kota.GetProperty("achieved").GetInt64(), Is.EqualTo(Expected(d => d.Kelurahan.StartsWith(code + ".", StringComparison.Ordinal))), $"{code} {asOf}");
            }
            Assert.That(province.GetProperty("total").GetProperty("achieved").GetInt64(), Is.EqualTo(Expected(_ => true)), asOf);

            foreach (var kotaCode in new[] { "31.73", "31.75", "31.01" })
            {
                var rollup = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/{kotaCode}?asOf={asOf}"));
                bool InKota(LedgerSum d) => d.Kelurahan.StartsWith(kotaCode + ".", StringComparison.Ordinal);
                foreach (var sudin in rollup.GetProperty("sudin").EnumerateArray())
                {
                    var code = sudin.GetProperty("sudin").GetString()!;
                    Assert.That(sudin.GetProperty("achieved").GetInt64(), Is.EqualTo(Expected(d => InKota(d) && d.Sudin == code)), $"{kotaCode} {code} {asOf}");
                }
                Assert.That(rollup.GetProperty("walikota").GetProperty("achieved").GetInt64(), Is.EqualTo(Expected(InKota)));
                foreach (var kecamatan in rollup.GetProperty("kecamatan").EnumerateArray())
                {
                    var code = kecamatan.GetProperty("code").GetString()!;
                    foreach (var bySudin in kecamatan.GetProperty("bySudin").EnumerateObject())
                    {
                        Assert.That(bySudin.Value.GetInt64(),
                            Is.EqualTo(Expected(d => d.Kelurahan.StartsWith(code + ".", StringComparison.Ordinal) && d.Sudin == bySudin.Name)),
                            $"{code} {bySudin.Name} {asOf}");
                    }
                }
                var kelurahan = await ReadJsonAsync(await Admin.GetAsync($"/api/v1/periods/{period}/rollup/{kotaCode}/kelurahan?asOf={asOf}"));
                foreach (var row in kelurahan.EnumerateArray())
                {
                    var code = row.GetProperty("code").GetString()!;
                    Assert.That(row.GetProperty("achieved").GetInt64(), Is.EqualTo(Expected(d => d.Kelurahan == code)), $"{code} {asOf}");
                }
            }
        }
    }

    private Task<HttpResponseMessage> PostBatchAsync(string key, object[] entries)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements/batch") { Content = JsonContent.Create(new { entries }) };
        request.Headers.Add("Idempotency-Key", key);
        return Admin.SendAsync(request);
    }
}
