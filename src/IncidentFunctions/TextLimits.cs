using System.Globalization;

namespace IncidentFunctions;

/// <summary>The one way text is cut to a limit, in alerts and emails alike.</summary>
public static class TextLimits
{
    /// <summary>What a person may write in one entry of the record: a note, a status update, a task's description, a rationale.</summary>
    public const int MaxRecordText = 10_000;

    /// <summary>A task's title, a decision, a link's title: one line a list shows.</summary>
    public const int MaxRecordTitle = 500;

    /// <summary>A reason given for a change (a task not done).</summary>
    public const int MaxReason = 2_000;

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
