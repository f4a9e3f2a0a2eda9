using System.Globalization;

namespace IncidentFunctions;

/// <summary>The one way text is cut to a limit, in alerts and emails alike.</summary>
public static class TextLimits
{
    /// <summary>
    /// At most <paramref name="max"/> characters, ending in "…" when cut. Cuts between text elements, so an emoji, a
    /// surrogate pair or a letter with its accents is never split.
    /// </summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var end = 0;
        while (end < text.Length)
        {
            var next = StringInfo.GetNextTextElementLength(text, end);
            if (end + next > max - 1)
            {
                break;
            }

            end += next;
        }

        return string.Concat(text.AsSpan(0, end).TrimEnd(), "…");
    }
}
