using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Jakpreneur.Core.Achievements;

/// <summary>An Idempotency-Key as presented by one API key, with the hash of the request it came with.</summary>
public sealed record IdempotencyRequest(string KeyId, string Key, string RequestHash)
{
    public const int MaxKeyLength = 255;

    /// <summary>Printable ASCII, 1 to 255 characters (the IETF Idempotency-Key draft uses opaque strings).</summary>
    public static bool IsValidKey(string key) =>
        key.Length is >= 1 and <= MaxKeyLength && key.All(c => c is >= '!' and <= '~');

    /// <summary>
    /// SHA-256 over the route and the request as the server understood it, serialized again (so
    /// formatting does not matter). The JSON streams into the hash: a 5,000-entry batch is never
    /// held as one more large buffer.
    /// </summary>
    public static string Hash<T>(string route, T body, JsonSerializerOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(route + "\n"));
        using (var stream = new HashingStream(hash))
        {
            JsonSerializer.Serialize(stream, body, options);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A write-only stream that feeds what is written to it into a hash.</summary>
    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => hash.AppendData(buffer);
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>The first response to a request, kept for replays.</summary>
public sealed record StoredResponse(int Status, string Body, string? Location);

public sealed record StoredIdempotency(string RequestHash, long Status, string Body, string? Location);

public enum IdempotencyState
{
    /// <summary>The request ran now.</summary>
    Fresh,

    /// <summary>Same key, same request: the first response is replayed.</summary>
    Replay,

    /// <summary>Same key, a different request.</summary>
    Mismatch,

    /// <summary>The first request with this key has not finished.</summary>
    InFlight,
}

public sealed record IdempotentResult(IdempotencyState State, StoredResponse? Response)
{
    public static IdempotentResult From(StoredIdempotency? stored, IdempotencyRequest request) => stored switch
    {
        // A rolled-back first attempt leaves no row; a committed one always has its status set.
        null or { Status: 0 } => new IdempotentResult(IdempotencyState.InFlight, null),
        _ when stored.RequestHash != request.RequestHash => new IdempotentResult(IdempotencyState.Mismatch, null),
        _ => new IdempotentResult(IdempotencyState.Replay, new StoredResponse((int)stored.Status, stored.Body, stored.Location)),
    };
}
