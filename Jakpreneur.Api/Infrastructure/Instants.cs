using System.Globalization;
using System.Text.RegularExpressions;

namespace Jakpreneur.Api.Infrastructure;

/// <summary>Strict parsing of the contract's text forms: dates <c>YYYY-MM-DD</c>, instants ISO-8601 with an offset.</summary>
internal static partial class Instants
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mmzzz",
    ];

    /// <summary>An instant with an explicit offset (<c>Z</c> or <c>+07:00</c>); a local time without one is ambiguous and refused.</summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (text is null || !OffsetSuffix().IsMatch(text))
        {
            return false;
        }
        var normalized = text.EndsWith('Z') ? text[..^1] + "+00:00" : text;
        return DateTimeOffset.TryParseExact(normalized, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    public static bool TryParseDate(string? text, out DateOnly date)
    {
        date = default;
        return text is { Length: 10 } && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    [GeneratedRegex(@"(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex OffsetSuffix();
}
