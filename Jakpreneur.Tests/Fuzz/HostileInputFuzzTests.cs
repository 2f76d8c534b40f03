using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jakpreneur.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Jakpreneur.Tests.Fuzz;

/// <summary>
/// Generated hostile requests against every operation of the OpenAPI document: malformed JSON,
/// wrong types, huge numbers and strings, deep nesting, invalid UTF-8, SQL and path metacharacters,
/// wrong content types, missing and duplicate headers. No answer may be a 5xx, every error must be
/// problem+json, and a rejected request must leave the database unchanged.
/// </summary>
[Category("Fuzz")]
public sealed class HostileInputFuzzTests
{
    private const int Seed = 20201215;
    private const int Requests = 10_000;

    private static readonly string[] HostileStrings =
    [
        "", " ", "' OR '1'='1", "'; DROP TABLE periods; --", "\" OR \"\"=\"", "../../../etc/passwd", "..%2f..%2f",
        "%00", "\u0000", "\u202e", "😀🇮🇩", "\ud800", "<script>alert(1)</script>", "${jndi:ldap://x}", "*", "%", "_",
        "NaN", "-Infinity", "31.73'--", "31.73.08.1001; DELETE FROM regions", new string('A', 5_000), new string('9', 400),
        "2020-02-30", "2020-13-01", "99999-01-01", "0001-01-01", "null", "true", "[]", "{}",
    ];

    private static readonly string[] HostileNumbers =
    [
        "0", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "1e308", "-1e308", "1.5", "1e-400", "123456789012345678901234567890", "-0", "0x10", "01",
    ];

    private static readonly string[] RawBodies =
    [
        "", "{", "}", "[", "null", "[]", "\"text\"", "42", "{\"a\":}", "{'single':'quotes'}", "{\"a\":1,}", "{/*c*/}",
        "\ufeff{}", "{\"period\":\"x\",\"period\":\"y\"}", new string('[', 10_000) + new string(']', 10_000),
        "{" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"\"k{i}\":{i},")) + "\"z\":0}",
    ];

    private static readonly string[] ContentTypes =
        ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx"];

    private TestDatabase? _database;
    private JakpreneurApp? _app;
    private JsonElement _document;
    private readonly Dictionary<string, string> _validValues = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kota"] = "31.73",
        ["kecamatan"] = "31.73.08",
        ["kelurahan"] = "31.73.08.1001",
        ["regionCode"] = "31.73.08.1001",
        ["code"] = "31.73",
        ["parent"] = "31.73",
        ["sudin"] = "PPKUKM-UKM",
        ["level"] = "kelurahan",
        ["date"] = "2020-06-01",
        ["startDate"] = "2020-01-01",
        ["endDate"] = "2020-12-31",
        ["targetDeadline"] = "2020-12-15",
        ["dueDate"] = "2020-12-15",
        ["publishedOn"] = "2020-12-01",
        ["asOf"] = "2020-12-01",
        ["from"] = "2020-01-01",
        ["to"] = "2020-12-31",
        ["channel"] = "instagram",
        ["url"] = "https://instagram.com/p/1",
        ["role"] = "viewer",
        ["name"] = "Fuzz",
        ["title"] = "Fuzz",
        ["count"] = "5",
        ["target"] = "100",
        ["total"] = "100",
        ["limit"] = "10",
        ["reason"] = "fuzz",
    };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = await TestDatabase.CreateAsync(Providers.Sqlite);
        // No background folding of the ledger here: a fold is a write of its own, and this fixture
        // checks that nothing but an accepted request writes.
        _app = new JakpreneurApp(_database, new FakeTimeProvider(FakeTimeProvider.DefaultStart),
            new Dictionary<string, string?> { ["Database:DailyFoldInterval"] = "00:00:00" });
        using var admin = _app.ClientWithKey(JakpreneurApp.AdminKey);
        var period = await admin.PutAsJsonAsync("/api/v1/periods/FUZZ", new { name = "Fuzz", startDate = "2020-01-01", endDate = "2020-12-31", targetDeadline = "2020-12-15" });
        Assert.That(period.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        _validValues["period"] = "FUZZ";
        _document = JsonDocument.Parse(await admin.GetStringAsync("/swagger/v1/swagger.json")).RootElement.Clone();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Test]
    public async Task TenThousandHostileRequestsNeverGetA5xxAndRejectedOnesChangeNothing()
    {
        var operations = Operations().ToList();
        Assert.That(operations, Is.Not.Empty);
        var random = new Random(Seed);
        await using var watcher = new SqliteConnection($"Data Source={_database!.FilePath};Mode=ReadOnly");
        await watcher.OpenAsync();
        var version = await DataVersionAsync(watcher);
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();

        for (var i = 0; i < Requests && failures.Count < 20; i++)
        {
            var (method, path, operation) = operations[random.Next(operations.Count)];
            using var request = BuildRequest(random, method, path, operation, out var description);
            using var client = _app!.CreateClient();
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            var now = await DataVersionAsync(watcher);
            if (status >= 500)
            {
                failures.Add($"{status} for {description}: {Truncate(body)}");
            }
            else if (status >= 400)
            {
                if (!IsProblem(response, body))
                {
                    failures.Add($"{status} without problem+json for {description}: {Truncate(body)}");
                }
                if (now != version)
                {
                    failures.Add($"{status} changed the database for {description}");
                }
            }
            version = now;
        }

        TestContext.Out.WriteLine($"Fuzzed {statuses.Values.Sum()} requests over {operations.Count} operations (seed {Seed}): " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
        Assert.That(statuses.Values.Sum(), Is.GreaterThanOrEqualTo(Requests));
    }

    [Test]
    public async Task RejectedRequestsLeaveTheDatabaseByteForByteUnchanged()
    {
        var operations = Operations().Where(o => o.Method is "POST" or "PUT" or "PATCH" or "DELETE").ToList();
        var random = new Random(Seed + 1);
        var before = await DumpAsync();

        for (var i = 0; i < 500; i++)
        {
            var (method, path, _) = operations[random.Next(operations.Count)];
            using var request = new HttpRequestMessage(new HttpMethod(method), FillPath(random, path, hostile: false));
            request.Headers.TryAddWithoutValidation("X-Api-Key", JakpreneurApp.AdminKey);
            request.Headers.TryAddWithoutValidation("Idempotency-Key", $"fuzz-{i}");
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(RawBodies[random.Next(RawBodies.Length)]));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await _app!.CreateClient().SendAsync(request);
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), $"{method} {path}");
        }

        Assert.That(await DumpAsync(), Is.EqualTo(before));
    }

    private IEnumerable<(string Method, string Path, JsonElement Operation)> Operations()
    {
        foreach (var path in _document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is "get" or "post" or "put" or "patch" or "delete")
                {
                    yield return (operation.Name.ToUpperInvariant(), path.Name, operation.Value);
                }
            }
        }
    }

    private HttpRequestMessage BuildRequest(Random random, string method, string path, JsonElement operation, out string description)
    {
        var hostilePath = random.Next(4) == 0;
        var url = FillPath(random, path, hostilePath);
        var query = new List<string>();
        if (operation.TryGetProperty("parameters", out var parameters))
        {
            foreach (var p in parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query"))
            {
                var name = p.GetProperty("name").GetString()!;
                if (random.Next(3) == 0)
                {
                    continue;
                }
                var value = random.Next(3) == 0 ? Pick(random, HostileStrings.Concat(HostileNumbers).ToArray()) : _validValues.GetValueOrDefault(name, "x");
                query.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
            }
        }
        if (random.Next(10) == 0)
        {
            query.Add("unexpected=%27%3B--&limit=-5&cursor=%00");
        }
        var request = new HttpRequestMessage(new HttpMethod(method), query.Count == 0 ? url : $"{url}?{string.Join('&', query)}");

        switch (random.Next(12))
        {
            case 0: break; // no key
            case 1: request.Headers.TryAddWithoutValidation("X-Api-Key", Pick(random, HostileStrings)); break;
            case 2: request.Headers.TryAddWithoutValidation("X-Api-Key", [JakpreneurApp.AdminKey, JakpreneurApp.AdminKey]); break;
            default: request.Headers.TryAddWithoutValidation("X-Api-Key", JakpreneurApp.AdminKey); break;
        }
        if (random.Next(4) == 0)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", random.Next(3) == 0 ? ["a", "b"] : [Pick(random, HostileStrings)]);
        }
        if (random.Next(6) == 0)
        {
            request.Headers.TryAddWithoutValidation(Pick(random, ["If-Match", "If-None-Match", "Accept-Language", "Accept"]), Pick(random, HostileStrings));
        }

        var bodyKind = "none";
        if (method is "POST" or "PUT" or "PATCH")
        {
            byte[] bytes;
            switch (random.Next(6))
            {
                case 0:
                    bodyKind = "raw";
                    bytes = Encoding.UTF8.GetBytes(Pick(random, RawBodies));
                    break;
                case 1:
                    bodyKind = "invalid-utf8";
                    bytes = [(byte)'{', (byte)'"', (byte)'n', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}'];
                    break;
                default:
                    bodyKind = "mutated";
                    bytes = Encoding.UTF8.GetBytes(MutatedBody(random, operation).ToJsonString());
                    break;
            }
            request.Content = new ByteArrayContent(bytes);
            var contentType = random.Next(8) == 0 ? Pick(random, ContentTypes) : "application/json";
            if (random.Next(20) != 0)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }
        description = $"{method} {request.RequestUri} body={bodyKind}";
        return request;
    }

    private string FillPath(Random random, string template, bool hostile)
    {
        var result = new StringBuilder();
        foreach (var segment in template.Split('/'))
        {
            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                var name = segment[1..^1];
                // NUL in a path is refused by the in-memory test host before the app sees it (Kestrel answers 400 itself).
                var value = hostile ? Pick(random, HostileStrings.Where(h => !h.Contains('\0')).ToArray()) : _validValues.GetValueOrDefault(name, "1");
                result.Append(Uri.EscapeDataString(value.Length == 0 ? " " : value));
            }
            else
            {
                result.Append(segment);
            }
            result.Append('/');
        }
        return result.ToString().TrimEnd('/');
    }

    /// <summary>A body shaped by the operation's schema, valid where it can be, with one or more fields made hostile.</summary>
    private JsonNode MutatedBody(Random random, JsonElement operation)
    {
        var properties = new List<string>();
        if (operation.TryGetProperty("requestBody", out var body)
            && body.GetProperty("content").EnumerateObject().FirstOrDefault().Value is { ValueKind: JsonValueKind.Object } media
            && media.TryGetProperty("schema", out var schema))
        {
            properties.AddRange(PropertiesOf(schema));
        }
        var obj = new JsonObject();
        foreach (var name in properties)
        {
            obj[name] = _validValues.TryGetValue(name, out var valid)
                ? (long.TryParse(valid, out var n) ? JsonValue.Create(n) : JsonValue.Create(valid))
                : JsonValue.Create("x");
        }
        if (properties.Contains("entries"))
        {
            obj["entries"] = new JsonArray(new JsonObject
            {
                ["period"] = "FUZZ",
                ["kelurahan"] = "31.73.08.1001",
                ["sudin"] = "KPKP",
                ["count"] = 1,
                ["date"] = "2020-06-01",
            });
        }
        if (properties.Contains("kota") && operation.ToString().Contains("campaign", StringComparison.OrdinalIgnoreCase))
        {
            obj["kota"] = new JsonArray("31.73");
        }
        var mutations = 1 + random.Next(3);
        for (var m = 0; m < mutations; m++)
        {
            var target = properties.Count > 0 && random.Next(5) != 0 ? properties[random.Next(properties.Count)] : $"extra{m}";
            obj[target] = random.Next(5) switch
            {
                0 => JsonNode.Parse(Pick(random, HostileNumbers) is var number && double.TryParse(number, out _) && !number.StartsWith("0x") && number != "01" ? number : "0"),
                1 => null,
                2 => new JsonArray(JsonValue.Create(Pick(random, HostileStrings))),
                3 => new JsonObject { ["nested"] = new JsonObject { ["deeper"] = Pick(random, HostileStrings) } },
                _ => JsonValue.Create(Pick(random, HostileStrings)),
            };
        }
        return obj;
    }

    private IEnumerable<string> PropertiesOf(JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/').Last();
            schema = _document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema.TryGetProperty("properties", out var props) ? props.EnumerateObject().Select(p => p.Name).ToList() : [];
    }

    private async Task<string> DumpAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_database!.FilePath};Mode=ReadOnly");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            // A generic dump of every table: the column list is the table's own, read from the schema.
            // Rows are sorted here, as WITHOUT ROWID tables have no rowid to order by.
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            hash.AppendData(Encoding.UTF8.GetBytes($"[{table}]"));
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                rows.Add(string.Concat(Enumerable.Range(0, reader.FieldCount).Select(c => $"{reader.GetValue(c)}\u001f")));
            }
            rows.Sort(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(row + "\n"));
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task<long> DataVersionAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static bool IsProblem(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return false;
        }
        try
        {
            var json = JsonDocument.Parse(body).RootElement;
            return new[] { "type", "title", "status", "detail", "traceId" }.All(f => json.TryGetProperty(f, out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Truncate(string text) => text.Length > 300 ? text[..300] : text;
}
