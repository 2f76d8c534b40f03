using Microsoft.Extensions.Caching.Memory;

namespace Jakpreneur.Core.Rollups;

/// <summary>
/// Computed roll-ups keyed by what was asked and by the period's stamp (<see cref="RollupQueries.StampAsync"/>):
/// a write changes the stamp, so an answer is reused only while nothing it depends on has changed.
/// Without a stamp (SQL Server) every request computes afresh.
/// </summary>
public sealed class RollupCache : IDisposable
{
    /// <summary>About 64 MB of answers (sized by their JSON length): a national province view is ~100 KB.</summary>
    private const long SizeLimitBytes = 64L * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = SizeLimitBytes });

    public async Task<T> GetOrComputeAsync<T>(string key, string? stamp, Func<Task<T>> compute, Func<T, long> sizeInBytes)
        where T : class
    {
        if (stamp is null)
        {
            return await compute();
        }
        if (_cache.TryGetValue(key, out Entry? hit) && hit!.Stamp == stamp && hit.Value is T value)
        {
            return value;
        }
        var computed = await compute();
        _cache.Set(key, new Entry(stamp, computed), new MemoryCacheEntryOptions { Size = Math.Max(1, sizeInBytes(computed)), SlidingExpiration = TimeSpan.FromMinutes(10) });
        return computed;
    }

    public void Dispose() => _cache.Dispose();

    private sealed record Entry(string Stamp, object Value);
}
