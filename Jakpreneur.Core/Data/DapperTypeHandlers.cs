using System.Data;
using System.Globalization;
using Dapper;

namespace Jakpreneur.Core.Data;

/// <summary>
/// Dates are stored as ISO text (<c>YYYY-MM-DD</c>) and instants as UTC ISO-8601 text on both
/// providers, so ordering and comparison behave the same in SQLite and SQL Server.
/// </summary>
internal static class DapperTypeHandlers
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }
        // Dapper maps these types natively; remove that so the text handlers below apply.
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = DbType.AnsiString;
            parameter.Size = 10;
            parameter.Value = Iso.Date(value);
        }

        public override DateOnly Parse(object value) => value switch
        {
            string s => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime d => DateOnly.FromDateTime(d),
            _ => throw new DataException($"Cannot read a date from {value.GetType().Name}."),
        };
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.AnsiString;
            parameter.Size = 33;
            parameter.Value = Iso.Instant(value);
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            DateTimeOffset d => d,
            _ => throw new DataException($"Cannot read an instant from {value.GetType().Name}."),
        };
    }
}

/// <summary>The one text form of dates and instants in the database.</summary>
public static class Iso
{
    public static string Date(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>UTC with fixed width so text order is time order.</summary>
    public static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
