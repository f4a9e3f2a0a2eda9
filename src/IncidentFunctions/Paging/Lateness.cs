using System.Globalization;

namespace IncidentFunctions.Paging;

/// <summary>
/// How late a page went out against when it was due: the alert's arrival for a first page, the level's time for an
/// escalation. A page later than <see cref="Threshold"/> says so on its timeline event and in a warning, so that a
/// system falling behind is visible where responders and operators look, with the figure.
/// </summary>
public static class Lateness
{
    /// <summary>The timeline data key that holds how late, in seconds.</summary>
    public const string DataKey = "lateSeconds";

    /// <summary>
    /// Under this a page is on time: a durable timer and a queue round trip take about a second on a busy host, and the
    /// first page several hundred milliseconds.
    /// </summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(2);

    /// <summary>How late a notification sent at <paramref name="sentAt"/> is; null when on time or not a page with a due time.</summary>
    public static TimeSpan? Of(NotifyRequest request, DateTimeOffset sentAt) =>
        request.DueAt is { } due && sentAt - due >= Threshold ? sentAt - due : null;

    /// <summary>"7 s", "3 min 4 s", "2 h 5 min": for people reading a timeline.</summary>
    public static string Describe(TimeSpan late) => late switch
    {
        { TotalMinutes: < 1 } => $"{Math.Floor(late.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s",
        { TotalHours: < 1 } => $"{(int)late.TotalMinutes} min {late.Seconds} s",
        _ => $"{(int)late.TotalHours} h {late.Minutes} min",
    };
}
