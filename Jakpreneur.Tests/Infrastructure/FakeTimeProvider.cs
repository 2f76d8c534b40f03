namespace Jakpreneur.Tests.Infrastructure;

/// <summary>A clock the test moves by hand (Microsoft.Extensions.TimeProvider.Testing is not in the registry).</summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public static readonly DateTimeOffset DefaultStart = new(2020, 12, 10, 3, 0, 0, TimeSpan.Zero); // 10:00 WIB

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void SetUtcNow(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);

    /// <summary>Sets the clock to a wall-clock time in WIB (UTC+7).</summary>
    public void SetWib(int year, int month, int day, int hour = 10, int minute = 0, int second = 0) =>
        SetUtcNow(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromHours(7)));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
