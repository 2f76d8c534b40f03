using System.Globalization;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Jakpreneur.Api.Auth;
using Jakpreneur.Api.Infrastructure;
using Jakpreneur.Core.Achievements;
using Jakpreneur.Core.Auth;
using Jakpreneur.Core.Common;
using Jakpreneur.Core.Periods;
using Jakpreneur.Core.Regions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Jakpreneur.Api.Achievements;

public sealed record AchievementRequest(
    string? Period, string? Kelurahan, string? Sudin, long? Count, DateOnly? Date, string? Reference = null, string? Note = null);

public sealed record BatchRequest(List<AchievementRequest?>? Entries);

public sealed record BatchResponse(int Accepted);

public sealed record ReversalRequest(string? Reason);

public sealed record AchievementResponse(
    long Id, string Period, string Kota, string Kecamatan, string Kelurahan, string Sudin, long Count, DateOnly Date,
    string? Reference, string? Note, DateTimeOffset RecordedAt, long? ReversesId)
{
    public static AchievementResponse From(Achievement a) =>
        new(a.Id, a.Period, a.Kota, a.Kecamatan, a.Kelurahan, a.Sudin, a.Count, a.Date, a.Reference, a.Note, a.RecordedAt, a.ReversesId);
}

public sealed record AchievementPage(IReadOnlyList<AchievementResponse> Items, string? NextCursor);

/// <summary>The batch as a whole; its entries are validated one by one by the endpoint so every bad row is listed.</summary>
internal sealed class BatchRequestValidator : AbstractValidator<BatchRequest>
{
    public BatchRequestValidator()
    {
        // Two rules: a .When() on one chain would switch off the NotNull too.
        RuleFor(x => x.Entries).NotNull();
        RuleFor(x => x.Entries)
            .Must(e => e!.Count is >= 1 and <= LedgerLimits.MaxBatch).When(x => x.Entries is not null)
            .WithMessage(_ => L.T($"A batch holds 1 to {LedgerLimits.MaxBatch} entries.", $"Satu batch berisi 1 sampai {LedgerLimits.MaxBatch} entri."));
    }
}

internal sealed class ReversalRequestValidator : AbstractValidator<ReversalRequest>
{
    public ReversalRequestValidator()
    {
        RuleFor(x => x.Reason).NotEmpty().MaximumLength(LedgerLimits.MaxNote);
    }
}

internal static class AchievementsEndpoints
{
    private const string IdempotencyHeader = "Idempotency-Key";
    private const string ReplayedHeader = "Idempotent-Replayed";

    public static IEndpointRouteBuilder MapAchievements(this IEndpointRouteBuilder app)
    {
        var achievements = app.MapGroup("/api/v1/achievements").WithTags("Achievements");
        achievements.MapPost("/", Post)
            .WithName("PostAchievement")
            .WithSummary("Append one achievement (kota and kecamatan derived from the kelurahan). Optional Idempotency-Key replays the first response.")
            .Accepts<AchievementRequest>("application/json")
            .Produces<AchievementResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        achievements.MapPost("/batch", PostBatch)
            .WithName("PostAchievementBatch")
            .WithSummary("Append 1 to 5000 achievements at once; Idempotency-Key required. One bad row rejects the whole batch (400 lists every bad row). ?dryRun=true only validates.")
            .Accepts<BatchRequest>("application/json")
            .Produces<BatchResponse>(StatusCodes.Status201Created)
            .Produces<BatchResponse>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        achievements.MapGet("/", List)
            .WithName("ListAchievements")
            .WithSummary("Ledger entries by id, filtered; keyset pagination with an opaque cursor (limit 1..1000, default 100).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        achievements.MapGet("/{id:long}", Get)
            .WithName("GetAchievement")
            .WithSummary("One ledger entry.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        achievements.MapPost("/{id:long}/reversal", Reverse)
            .WithValidation<ReversalRequest>()
            .WithName("ReverseAchievement")
            .WithSummary("Cancel an entry with a new entry of the negative count, dated like the original. A second reversal is 409.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult, ValidationProblem>> Post(
        AchievementLedger ledger, PeriodQueries periods, RegionDirectory regions, TimeProvider time,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, HttpContext http, AchievementRequest? request, CancellationToken ct)
    {
        if (request is null)
        {
            return Problems.BodyRequired();
        }
        var caller = http.Caller();
        var (idempotency, headerProblem) = ReadIdempotency(http, caller, "POST /api/v1/achievements", request, json.Value.SerializerOptions, required: false);
        if (headerProblem is not null)
        {
            return headerProblem;
        }
        if (idempotency is not null && await EarlyReplayAsync(ledger, http, idempotency, ct) is { } early)
        {
            return early;
        }
        var errors = await ValidateAsync([request], periods, regions, time, "", ct);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var entry = ToEntry(request, regions);
        if (!caller.CanWriteAchievement(regions.Find(entry.Kelurahan)!, entry.Sudin))
        {
            return OutsideLane(caller, [0]);
        }
        var result = await ledger.PostAsync(entry, http.Actor(), idempotency, recorded => new StoredResponse(
            StatusCodes.Status201Created,
            JsonSerializer.Serialize(AchievementResponse.From(recorded), json.Value.SerializerOptions),
            $"/api/v1/achievements/{recorded.Id}"), ct);
        return Answer(http, result);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult, ValidationProblem>> PostBatch(
        AchievementLedger ledger, PeriodQueries periods, RegionDirectory regions, TimeProvider time, IValidator<BatchRequest> batchValidator,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, HttpContext http,
        BatchRequest? request, bool? dryRun, CancellationToken ct)
    {
        if (request is null)
        {
            return Problems.BodyRequired();
        }
        var caller = http.Caller();
        var (idempotency, headerProblem) = ReadIdempotency(http, caller, "POST /api/v1/achievements/batch", request, json.Value.SerializerOptions, required: true);
        if (headerProblem is not null)
        {
            return headerProblem;
        }
        // A dry run neither reads nor consumes the key: it only says whether the batch would be accepted.
        if (dryRun != true && await EarlyReplayAsync(ledger, http, idempotency!, ct) is { } early)
        {
            return early;
        }
        var shape = await batchValidator.ValidateAsync(request, ct);
        if (!shape.IsValid)
        {
            return Problems.Validation(shape.ToDictionary());
        }
        var errors = await ValidateAsync(request.Entries!, periods, regions, time, "entries", ct);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors, L.T(
                $"{errors.Keys.Select(RowOf).Distinct().Count()} of {request.Entries!.Count} entries are invalid; nothing was stored.",
                $"{errors.Keys.Select(RowOf).Distinct().Count()} dari {request.Entries!.Count} entri tidak valid; tidak ada yang disimpan."));
        }
        var entries = request.Entries!.Select(e => ToEntry(e!, regions)).ToList();
        var outside = entries.Select((e, i) => (e, i)).Where(x => !caller.CanWriteAchievement(regions.Find(x.e.Kelurahan)!, x.e.Sudin)).Select(x => x.i).ToList();
        if (outside.Count > 0)
        {
            return OutsideLane(caller, outside);
        }
        if (dryRun == true)
        {
            return TypedResults.Text(JsonSerializer.Serialize(new BatchResponse(entries.Count), json.Value.SerializerOptions),
                "application/json", Encoding.UTF8, StatusCodes.Status200OK);
        }
        var result = await ledger.PostBatchAsync(entries, http.Actor(), idempotency!, accepted => new StoredResponse(
            StatusCodes.Status201Created, JsonSerializer.Serialize(new BatchResponse(accepted), json.Value.SerializerOptions), null), ct);
        return Answer(http, result);
    }

    private static async Task<Results<Ok<AchievementPage>, ProblemHttpResult, ValidationProblem>> List(
        AchievementLedger ledger, PeriodQueries periods, RegionDirectory regions, HttpContext http,
        string? period, string? kota, string? kecamatan, string? kelurahan, string? sudin, string? from, string? to,
        string? limit, string? cursor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string en, string id) => errors[field] = [L.T(en, id)];
        if (period is not null && await periods.FindAsync(period, ct) is null)
        {
            Error("period", $"Unknown period code '{period}'.", $"Kode periode '{period}' tidak dikenal.");
        }
        var kotaRegion = kota is null ? null : regions.Find(kota, RegionLevel.Kota);
        if (kota is not null && kotaRegion is null)
        {
            Error("kota", $"Unknown kota code '{kota}'.", $"Kode kota '{kota}' tidak dikenal.");
        }
        var kecamatanRegion = kecamatan is null ? null : regions.Find(kecamatan, RegionLevel.Kecamatan);
        if (kecamatan is not null && kecamatanRegion is null)
        {
            Error("kecamatan", $"Unknown kecamatan code '{kecamatan}'.", $"Kode kecamatan '{kecamatan}' tidak dikenal.");
        }
        var kelurahanRegion = kelurahan is null ? null : regions.Find(kelurahan, RegionLevel.Kelurahan);
        if (kelurahan is not null && kelurahanRegion is null)
        {
            Error("kelurahan", $"Unknown kelurahan code '{kelurahan}'.", $"Kode kelurahan '{kelurahan}' tidak dikenal.");
        }
        if (sudin is not null && Sudin.Find(sudin) is null)
        {
            Error("sudin", $"Unknown sudin code '{sudin}'.", $"Kode sudin '{sudin}' tidak dikenal.");
        }
        var fromDate = ParseDate(from, "from", errors);
        var toDate = ParseDate(to, "to", errors);
        var pageSize = LedgerLimits.DefaultPage;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > LedgerLimits.MaxPage))
        {
            Error("limit", $"limit is a whole number from 1 to {LedgerLimits.MaxPage}.", $"limit adalah bilangan bulat 1 sampai {LedgerLimits.MaxPage}.");
        }
        var afterId = 0L;
        if (cursor is not null && !Cursor.TryRead(cursor, out afterId))
        {
            Error("cursor", "The cursor is not one this API issued; use nextCursor from a previous page.",
                "Cursor ini bukan buatan API ini; gunakan nextCursor dari halaman sebelumnya.");
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var caller = http.Caller();
        var scopeKota = kotaRegion?.Code ?? kecamatanRegion?.KotaCode ?? kelurahanRegion?.KotaCode ?? caller.ReadScopeKota;
        if (!caller.CanRead(scopeKota))
        {
            return Problems.Forbidden(L.T("This API key may not read achievements of that kota.", "Kunci API ini tidak berhak membaca capaian kota tersebut."));
        }
        var rows = await ledger.ListAsync(
            new AchievementFilter(period, scopeKota, kecamatan, kelurahan, sudin, fromDate, toDate), afterId, pageSize + 1, ct);
        var page = rows.Take(pageSize).Select(AchievementResponse.From).ToList();
        return TypedResults.Ok(new AchievementPage(page, rows.Count > pageSize ? Cursor.Write(page[^1].Id) : null));
    }

    private static async Task<Results<Ok<AchievementResponse>, ProblemHttpResult>> Get(AchievementLedger ledger, HttpContext http, long id, CancellationToken ct)
    {
        var entry = await ledger.FindAsync(id, ct);
        return entry is not null && http.Caller().CanRead(entry.Kota)
            ? TypedResults.Ok(AchievementResponse.From(entry))
            : NoSuchEntry(id);
    }

    private static async Task<Results<Created<AchievementResponse>, ProblemHttpResult>> Reverse(
        AchievementLedger ledger, HttpContext http, long id, ReversalRequest request, CancellationToken ct)
    {
        var (outcome, entry) = await ledger.ReverseAsync(id, request.Reason!.Trim(), http.Caller(), http.Actor(), ct);
        return outcome switch
        {
            ReversalOutcome.Reversed => TypedResults.Created($"/api/v1/achievements/{entry!.Id}", AchievementResponse.From(entry)),
            ReversalOutcome.Forbidden => Problems.Forbidden(L.T(
                $"Entry {id} belongs to {entry!.Sudin} in kota {entry.Kota}; this API key may not reverse it.",
                $"Entri {id} milik {entry!.Sudin} di kota {entry.Kota}; kunci API ini tidak berhak membatalkannya.")),
            ReversalOutcome.IsReversal => Problems.Unprocessable(L.T(
                $"Entry {id} is itself a reversal (of entry {entry!.ReversesId}); a reversal cannot be reversed.",
                $"Entri {id} adalah pembatalan (dari entri {entry!.ReversesId}); pembatalan tidak dapat dibatalkan.")),
            ReversalOutcome.AlreadyReversed => Problems.Conflict(L.T(
                $"Entry {id} has already been reversed.", $"Entri {id} sudah dibatalkan.")),
            _ => NoSuchEntry(id),
        };
    }

    private static ProblemHttpResult NoSuchEntry(long id) =>
        Problems.NotFound(L.T($"No achievement has id {id}.", $"Tidak ada capaian dengan id {id}."));

    /// <summary>The Idempotency-Key header and the hash of this request, or a 400 problem when the header is missing (batch) or malformed.</summary>
    private static (IdempotencyRequest? Request, ValidationProblem? Problem) ReadIdempotency<T>(
        HttpContext http, Caller caller, string route, T body, JsonSerializerOptions options, bool required)
    {
        var values = http.Request.Headers[IdempotencyHeader];
        if (values.Count == 0)
        {
            return required
                ? (null, Problems.Validation(IdempotencyHeader, L.T(
                    "The Idempotency-Key header is required: send a unique key per batch and the same key when retrying it.",
                    "Header Idempotency-Key wajib: kirim kunci unik per batch dan kunci yang sama saat mengulang.")))
                : (null, null);
        }
        var key = values.Count == 1 ? values[0]!.Trim() : "";
        if (!IdempotencyRequest.IsValidKey(key))
        {
            return (null, Problems.Validation(IdempotencyHeader, L.T(
                $"The Idempotency-Key header must be one value of 1 to {IdempotencyRequest.MaxKeyLength} printable ASCII characters.",
                $"Header Idempotency-Key harus satu nilai berisi 1 sampai {IdempotencyRequest.MaxKeyLength} karakter ASCII yang tercetak.")));
        }
        var hash = IdempotencyRequest.Hash(route, body, options);
        return (new IdempotencyRequest(caller.KeyId, key, hash), null);
    }

    /// <summary>A key already used by this API key answers before any validation: replay, 422 or 409.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult, ValidationProblem>?> EarlyReplayAsync(
        AchievementLedger ledger, HttpContext http, IdempotencyRequest idempotency, CancellationToken ct)
    {
        var stored = await ledger.FindIdempotencyAsync(idempotency.KeyId, idempotency.Key, ct);
        return stored is null ? null : Answer(http, IdempotentResult.From(stored, idempotency));
    }

    private static Results<ContentHttpResult, ProblemHttpResult, ValidationProblem> Answer(HttpContext http, IdempotentResult result)
    {
        switch (result.State)
        {
            case IdempotencyState.Mismatch:
                return Problems.Unprocessable(L.T(
                    "This Idempotency-Key was already used with a different request; use a new key for a new request.",
                    "Idempotency-Key ini sudah dipakai untuk permintaan lain; gunakan kunci baru untuk permintaan baru."));
            case IdempotencyState.InFlight:
                return Problems.Conflict(L.T(
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    "Permintaan dengan Idempotency-Key ini masih diproses; coba lagi sebentar lagi."));
            case IdempotencyState.Replay:
                http.Response.Headers[ReplayedHeader] = "true";
                break;
        }
        var response = result.Response!;
        if (response.Location is not null)
        {
            http.Response.Headers.Location = response.Location;
        }
        return TypedResults.Text(response.Body, "application/json", Encoding.UTF8, response.Status);
    }

    /// <summary>
    /// Checks every entry and collects every error, keyed <c>entries[3].count</c> in a batch. The
    /// rules are plain code rather than a FluentValidation validator per row: a 5,000-row batch is
    /// checked in a few milliseconds, where a validator pass per row cost more than storing the rows.
    /// </summary>
    private static async Task<Dictionary<string, string[]>> ValidateAsync(
        IReadOnlyList<AchievementRequest?> entries, PeriodQueries periods, RegionDirectory regions, TimeProvider time, string prefix, CancellationToken ct)
    {
        var known = (await periods.ListAsync(ct)).ToDictionary(p => p.Code, StringComparer.Ordinal);
        var today = Wib.Today(time);
        var errors = new Dictionary<string, List<string>>();
        for (var i = 0; i < entries.Count; i++)
        {
            var path = prefix.Length == 0 ? "" : $"{prefix}[{i}].";
            void Error(string field, string en, string id)
            {
                var key = path + field;
                if (!errors.TryGetValue(key, out var messages))
                {
                    errors[key] = messages = [];
                }
                messages.Add(L.T(en, id));
            }
            var e = entries[i];
            if (e is null)
            {
                errors[path.TrimEnd('.')] = [L.T("An entry is required.", "Entri wajib diisi.")];
                continue;
            }
            Period? period = null;
            if (string.IsNullOrEmpty(e.Period))
            {
                Error("period", "'period' must not be empty.", "'period' tidak boleh kosong.");
            }
            else if (!known.TryGetValue(e.Period, out period))
            {
                Error("period", $"Unknown period code '{e.Period}'.", $"Kode periode '{e.Period}' tidak dikenal.");
            }
            if (string.IsNullOrEmpty(e.Kelurahan))
            {
                Error("kelurahan", "'kelurahan' must not be empty.", "'kelurahan' tidak boleh kosong.");
            }
            else if (regions.Find(e.Kelurahan, RegionLevel.Kelurahan) is null)
            {
                Error("kelurahan", $"Unknown kelurahan code '{e.Kelurahan}'.", $"Kode kelurahan '{e.Kelurahan}' tidak dikenal.");
            }
            if (string.IsNullOrEmpty(e.Sudin))
            {
                Error("sudin", "'sudin' must not be empty.", "'sudin' tidak boleh kosong.");
            }
            else if (Sudin.Find(e.Sudin) is null)
            {
                Error("sudin", $"Unknown sudin code '{e.Sudin}'.", $"Kode sudin '{e.Sudin}' tidak dikenal.");
            }
            if (e.Count is not (>= LedgerLimits.MinCount and <= LedgerLimits.MaxCount))
            {
                Error("count", $"'count' must be a whole number from {LedgerLimits.MinCount} to {LedgerLimits.MaxCount}.",
                    $"'count' harus bilangan bulat {LedgerLimits.MinCount} sampai {LedgerLimits.MaxCount}.");
            }
            if (e.Date is not { } date)
            {
                Error("date", "'date' must not be empty.", "'date' tidak boleh kosong.");
            }
            else if (date > today)
            {
                Error("date", $"The date {date:yyyy-MM-dd} is after today ({today:yyyy-MM-dd}, WIB).",
                    $"Tanggal {date:yyyy-MM-dd} melewati hari ini ({today:yyyy-MM-dd}, WIB).");
            }
            else if (period is not null && !period.Contains(date))
            {
                Error("date", $"The date {date:yyyy-MM-dd} is outside period {period.Code} ({period.StartDate:yyyy-MM-dd} to {period.EndDate:yyyy-MM-dd}).",
                    $"Tanggal {date:yyyy-MM-dd} di luar periode {period.Code} ({period.StartDate:yyyy-MM-dd} sampai {period.EndDate:yyyy-MM-dd}).");
            }
            if (e.Reference?.Length > LedgerLimits.MaxReference)
            {
                Error("reference", $"'reference' holds at most {LedgerLimits.MaxReference} characters.", $"'reference' berisi paling banyak {LedgerLimits.MaxReference} karakter.");
            }
            if (e.Note?.Length > LedgerLimits.MaxNote)
            {
                Error("note", $"'note' holds at most {LedgerLimits.MaxNote} characters.", $"'note' berisi paling banyak {LedgerLimits.MaxNote} karakter.");
            }
        }
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private static string RowOf(string field) => field.Split('.')[0];

    private static NewAchievement ToEntry(AchievementRequest r, RegionDirectory regions)
    {
        var kelurahan = regions.Find(r.Kelurahan, RegionLevel.Kelurahan)!;
        return new NewAchievement(r.Period!, kelurahan.KotaCode!, kelurahan.KecamatanCode!, kelurahan.Code, r.Sudin!, r.Count!.Value, r.Date!.Value,
            string.IsNullOrWhiteSpace(r.Reference) ? null : r.Reference.Trim(), string.IsNullOrWhiteSpace(r.Note) ? null : r.Note.Trim());
    }

    private static ProblemHttpResult OutsideLane(Caller caller, IReadOnlyList<int> rows)
    {
        var lane = caller.Role == Roles.Sudin ? $"{caller.Sudin} in kota {caller.Kota}" : caller.Role;
        var shown = string.Join(", ", rows.Take(20));
        return Problems.Make(StatusCodes.Status403Forbidden, L.T("Forbidden", "Akses ditolak"),
            L.T($"This API key ({lane}) may not record achievements for entries {shown}{(rows.Count > 20 ? ", ..." : "")}; nothing was stored.",
                $"Kunci API ini ({lane}) tidak berhak mencatat capaian untuk entri {shown}{(rows.Count > 20 ? ", ..." : "")}; tidak ada yang disimpan."),
            new Dictionary<string, object?> { ["entries"] = rows });
    }

    private static DateOnly? ParseDate(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        errors[field] = [L.T($"'{value}' is not a date (YYYY-MM-DD).", $"'{value}' bukan tanggal (YYYY-MM-DD).")];
        return null;
    }
}

/// <summary>Opaque keyset cursor: the last id of the page, versioned and base64url-encoded.</summary>
internal static class Cursor
{
    private const string Prefix = "a1:";

    public static string Write(long lastId) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(Prefix + lastId.ToString(CultureInfo.InvariantCulture)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryRead(string cursor, out long lastId)
    {
        lastId = 0;
        if (cursor.Length is 0 or > 64)
        {
            return false;
        }
        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        Span<byte> bytes = stackalloc byte[64];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return false;
        }
        var text = Encoding.ASCII.GetString(bytes[..written]);
        return text.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out lastId);
    }
}
