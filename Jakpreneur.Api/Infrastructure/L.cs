using System.Globalization;

namespace Jakpreneur.Api.Infrastructure;

/// <summary>Message in the request's language: Indonesian for <c>Accept-Language: id</c>, else English.</summary>
internal static class L
{
    public static bool Indonesian => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "id";

    public static string T(string english, string indonesian) => Indonesian ? indonesian : english;
}
