using IncidentFunctions.Model;

namespace IncidentFunctions.WebConsole;

/// <summary>Which of an incident's timeline events the page shows: all, the alerts', people's own entries, or the pinned.</summary>
public enum TimelineFilter
{
    All,
    Alerts,
    People,
    Pinned,
}

public static class TimelineFilters
{
    /// <summary>The filter a link names (its query value); anything else is <see cref="TimelineFilter.All"/>.</summary>
    public static TimelineFilter Parse(string? value) => value switch
    {
        "alerts" => TimelineFilter.Alerts,
        "people" => TimelineFilter.People,
        "pinned" => TimelineFilter.Pinned,
        _ => TimelineFilter.All,
    };

    public static string ValueOf(this TimelineFilter filter) => filter.ToString().ToLowerInvariant();

    public static string LabelOf(this TimelineFilter filter) => filter switch
    {
        TimelineFilter.Alerts => "Alerts",
        TimelineFilter.People => "People's entries",
        TimelineFilter.Pinned => "Pinned",
        _ => "All",
    };

    /// <summary>
    /// Whether the filter shows the event: alerts are the alert.* events; people's entries are what a person did, through
    /// the API (and so the console) or an email link; pinned are the ones the incident's record pins.
    /// </summary>
    public static bool Shows(this TimelineFilter filter, TimelineEvent e, IReadOnlySet<string> pinned) => filter switch
    {
        TimelineFilter.Alerts => e.Type.StartsWith("alert.", StringComparison.Ordinal),
        TimelineFilter.People => e.Channel is Channels.Api or Channels.EmailLink,
        TimelineFilter.Pinned => pinned.Contains(e.Id),
        _ => true,
    };
}
