using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Jakpreneur.Tests.Reliability;

/// <summary>
/// The API as a real process on a SQLite file, killed with SIGKILL at random moments while
/// idempotent batches stream in, then restarted and sent every batch whose answer was not seen.
/// Every batch must end up stored exactly once, whole, with aggregates equal to the ledger.
/// </summary>
public sealed class CrashSafetyTests : ProcessTest
{
    private const int Batches = 48;
    private const int RowsPerBatch = 250;
    private const int Kills = 12;

    private static readonly string[] Kelurahan = ["31.73.08.1001", "31.73.08.1002", "31.73.01.1001", "31.74.01.1001", "31.71.01.1001"];
    private static readonly string[] Sudin = ["PAREKRAF", "NAKERTRANSGI", "PPKUKM-UKM", "PPKUKM-IKM", "SOSIAL", "PPAPP", "KPKP"];


    [Test]
    public async Task SigkilledIngestLosesNoAcknowledgedBatchAndCountsNoneTwice()
    {
        var database = Database;
        var random = new Random(1215);
        var batches = Enumerable.Range(0, Batches).Select(b => MakeBatch(b, random)).ToArray();
        var acknowledged = new ConcurrentDictionary<int, bool>();
        var replayed = 0;

        await using (var first = await ApiProcess.StartAsync(database))
        {
            using var admin = first.Client();
            var period = await admin.PutAsJsonAsync("/api/v1/periods/CRASH", new { name = "Crash", startDate = "2020-01-01", endDate = "2020-12-31", targetDeadline = "2020-12-15" });
            Assert.That(period.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        for (var kill = 0; kill < Kills; kill++)
        {
            var api = await ApiProcess.StartAsync(database);
            using var client = api.Client();
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 2).Select(worker => Task.Run(async () =>
            {
                foreach (var b in Enumerable.Range(0, Batches).Where(b => b % 2 == worker && !acknowledged.ContainsKey(b)))
                {
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    if (await TrySendAsync(client, batches[b], b) is { } wasReplayed)
                    {
                        acknowledged[b] = true;
                        if (wasReplayed)
                        {
                            Interlocked.Increment(ref replayed);
                        }
                    }
                }
            })).ToArray();
            await Task.Delay(random.Next(50, 700));
            await api.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
            await api.DisposeAsync();
        }

        var acknowledgedBeforeFinal = acknowledged.Keys.ToHashSet();
        await using (var last = await ApiProcess.StartAsync(database))
        {
            using var client = last.Client();
            foreach (var b in Enumerable.Range(0, Batches).Where(b => !acknowledged.ContainsKey(b)))
            {
                Assert.That(await TrySendAsync(client, batches[b], b), Is.Not.Null, $"batch {b} failed after the last restart");
            }
            // Resending an acknowledged batch replays it and stores nothing more.
            Assert.That(await TrySendAsync(client, batches[0], 0), Is.True);
            await last.TerminateAsync(TimeSpan.FromSeconds(30));
        }

        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        var perBatch = (await connection.QueryAsync<(string Batch, long Rows)>(
            """
            SELECT substr(reference, 1, instr(reference, ':') - 1) AS batch, COUNT(*) AS rows
            FROM achievements WHERE period = 'CRASH' GROUP BY substr(reference, 1, instr(reference, ':') - 1)
            """)).ToDictionary(r => r.Batch, r => r.Rows);
        var duplicateReferences = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM (SELECT reference FROM achievements WHERE period = 'CRASH' GROUP BY reference HAVING COUNT(*) > 1)");
        var ledgerSum = await connection.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(count), 0) FROM achievements WHERE period = 'CRASH'");
        var totalsMismatch = await connection.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM (
                SELECT kelurahan, sudin, SUM(count) AS s FROM achievements WHERE period = 'CRASH' GROUP BY kelurahan, sudin) l
            FULL OUTER JOIN (SELECT kelurahan, sudin, achieved FROM achievement_totals WHERE period = 'CRASH') t
                ON t.kelurahan = l.kelurahan AND t.sudin = l.sudin
            WHERE COALESCE(l.s, 0) <> COALESCE(t.achieved, 0)
            """);
        var dailyMismatch = await connection.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM (
                SELECT kelurahan, sudin, date, SUM(count) AS s FROM achievements
                WHERE period = 'CRASH' AND id <= (SELECT last_id FROM aggregate_progress WHERE name = 'achievement_daily')
                GROUP BY kelurahan, sudin, date) l
            FULL OUTER JOIN (SELECT kelurahan, sudin, date, achieved FROM achievement_daily WHERE period = 'CRASH') d
                ON d.kelurahan = l.kelurahan AND d.sudin = l.sudin AND d.date = l.date
            WHERE COALESCE(l.s, 0) <> COALESCE(d.achieved, 0)
            """);

        TestContext.Out.WriteLine($"kills survived: {Kills}; batches acknowledged before the final restart: {acknowledgedBeforeFinal.Count}/{Batches}; " +
                                  $"replayed answers: {replayed}; duplicate rows: {duplicateReferences}");
        Assert.That(perBatch.Keys, Has.Count.EqualTo(Batches), "every batch is present");
        Assert.That(perBatch.Values, Is.All.EqualTo(RowsPerBatch), "no batch is partial or doubled");
        Assert.That(duplicateReferences, Is.Zero);
        Assert.That(ledgerSum, Is.EqualTo(batches.Sum(b => b.Sum(r => r.Count))));
        Assert.That(totalsMismatch, Is.Zero, "achievement_totals equal the ledger");
        Assert.That(dailyMismatch, Is.Zero, "achievement_daily equal the ledger rows it has folded (folds are killed too)");
    }

    [Test]
    public async Task SigtermDuringABatchCompletesOrRollsItBackWhole()
    {
        var database = Database;
        var random = new Random(7);
        await using (var setup = await ApiProcess.StartAsync(database))
        {
            using var admin = setup.Client();
            await admin.PutAsJsonAsync("/api/v1/periods/CRASH", new { name = "Crash", startDate = "2020-01-01", endDate = "2020-12-31", targetDeadline = "2020-12-15" });
        }
        var outcomes = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var batch = Enumerable.Range(0, 5000).Select(r => new Row("CRASH", Kelurahan[r % Kelurahan.Length], Sudin[r % Sudin.Length], 1, "2020-06-01", $"term{attempt}:{r}")).ToArray();
            var api = await ApiProcess.StartAsync(database);
            using var client = api.Client();
            var send = TrySendAsync(client, batch, attempt, keyPrefix: "term");
            await Task.Delay(random.Next(5, 60));
            var exited = await api.TerminateAsync(TimeSpan.FromSeconds(30));
            var answer = await send;
            await api.DisposeAsync();

            await using var connection = new SqliteConnection($"Data Source={database}");
            await connection.OpenAsync();
            var stored = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM achievements WHERE reference LIKE @p", new { p = $"term{attempt}:%" });
            outcomes.Add($"answer {(answer is null ? "none" : "201")}, stored {stored}");
            Assert.That(exited, Is.True, "the API exits on SIGTERM");
            Assert.That(stored, Is.EqualTo(0).Or.EqualTo(5000), "a batch is never half-written");
            if (answer is not null)
            {
                Assert.That(stored, Is.EqualTo(5000), "an acknowledged batch is stored");
            }
        }
        TestContext.Out.WriteLine(string.Join("; ", outcomes));
    }

    private static Row[] MakeBatch(int b, Random random) =>
        Enumerable.Range(0, RowsPerBatch).Select(r => new Row(
            "CRASH",
            Kelurahan[random.Next(Kelurahan.Length)],
            Sudin[random.Next(Sudin.Length)],
            1 + random.Next(9),
            $"2020-{1 + random.Next(11):D2}-{1 + random.Next(28):D2}",
            $"b{b}:{r}")).ToArray();

    /// <summary>Sends one batch; true when the answer was a replay, false when first stored, null when no answer was seen.</summary>
    private static async Task<bool?> TrySendAsync(HttpClient client, Row[] rows, int batch, string keyPrefix = "crash")
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/achievements/batch") { Content = JsonContent.Create(new { entries = rows }) };
            request.Headers.Add("Idempotency-Key", $"{keyPrefix}-{batch}");
            using var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Assert.Fail($"batch {batch}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            return response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Contains("true");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return null; // the process died before answering: the batch must be resent
        }
    }

    private sealed record Row(string Period, string Kelurahan, string Sudin, int Count, string Date, string Reference);
}
