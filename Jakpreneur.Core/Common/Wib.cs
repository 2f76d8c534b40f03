namespace Jakpreneur.Core.Common;

/// <summary>
/// Calendar dates in this programme (deadlines, "today", on time / late) are reckoned in
/// Asia/Jakarta (WIB, UTC+7, no daylight saving since 1964).
/// </summary>
public static class Wib
{
    public static readonly TimeZoneInfo Zone = FindZone();

    public static DateTimeOffset Now(TimeProvider time) => TimeZoneInfo.ConvertTime(time.GetUtcNow(), Zone);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(Now(time).DateTime);

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>The instant a WIB calendar day starts.</summary>
    /// <remarks>Saturates at the ends of the calendar, where the WIB start has no UTC representation.</remarks>
    public static DateTimeOffset StartOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return local < DateTime.MinValue.Add(Zone.BaseUtcOffset) ? DateTimeOffset.MinValue : new(local, Zone.BaseUtcOffset);
    }

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Jakarta");
        }
        catch (TimeZoneNotFoundException)
        {
            // Slim container images may lack tzdata; WIB is a fixed UTC+7 offset.
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Jakarta", TimeSpan.FromHours(7), "WIB", "WIB");
        }
    }
}
