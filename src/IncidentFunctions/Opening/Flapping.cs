using System.Text.Json;

namespace IncidentFunctions.Opening;

/// <summary>
/// Flap detection. An alert that keeps firing and resolving opens incident after incident for the same key; from the
/// <see cref="FlapRule.Threshold"/>th opening within <see cref="FlapRule.Window"/> (set per integration), a new incident
/// is flapping: it is opened and recorded as usual, but nobody is paged for it until the window has passed, and then
/// only if it is still open. People paged for the earlier openings already know. The openings are kept on the key's row,
/// which every opening updates with its ETag, so concurrent processors agree on the count.
/// </summary>
public static class Flapping
{
    public const int DefaultThreshold = 3;
    public const double DefaultWindowMinutes = 30;

    /// <summary>The key's openings within the window, <paramref name="now"/> included (newest last), as stored on the key.</summary>
    public static List<DateTimeOffset> Record(string? stored, DateTimeOffset now, TimeSpan window, int keep)
    {
        var openings = string.IsNullOrEmpty(stored) ? [] : JsonSerializer.Deserialize<List<DateTimeOffset>>(stored) ?? [];
        openings = openings.Where(o => now - o < window && o <= now).Append(now).ToList();
        return openings.Count > keep ? openings[^keep..] : openings;
    }

    /// <summary>When the key's latest opening is a flapping one: the opening count and until when paging is held.</summary>
    public static (int Openings, DateTimeOffset Until)? Of(string? stored, TimeSpan window, int threshold)
    {
        if (threshold <= 0 || string.IsNullOrEmpty(stored))
        {
            return null;
        }

        var openings = JsonSerializer.Deserialize<List<DateTimeOffset>>(stored) ?? [];
        if (openings.Count == 0)
        {
            return null;
        }

        var latest = openings[^1];
        var recent = openings.Count(o => latest - o < window);
        return recent >= threshold ? (recent, latest + window) : null;
    }

    public static string Serialize(List<DateTimeOffset> openings) => JsonSerializer.Serialize(openings);
}

/// <summary>When a key flaps: from its <paramref name="Threshold"/>th opening within <paramref name="Window"/>; 0 never.</summary>
public sealed record FlapRule(int Threshold, TimeSpan Window)
{
    public static FlapRule Default { get; } = new(Flapping.DefaultThreshold, TimeSpan.FromMinutes(Flapping.DefaultWindowMinutes));
}
