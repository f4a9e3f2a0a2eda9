using System.Globalization;

namespace IncidentFunctions.WebConsole;

/// <summary>The paths a page links and posts to, built from <see cref="Routes"/> so that no page spells a route.</summary>
public static class ConsolePaths
{
    public static string Incidents => Of(Routes.Console);

    public static string Declare => Of(Routes.ConsoleDeclare);

    public static string Dashboard => Of(Routes.ConsoleDashboard);

    /// <summary>The incidents list's live part, which its poll asks for.</summary>
    public static string IncidentRows => Of(Routes.ConsoleIncidentRows);

    /// <summary>An incident's console page with <c>{id}</c> left in, for a script to fill from an answer's Location.</summary>
    public static string IncidentTemplate => Of(Routes.ConsoleIncident);

    public static string Incident(string id) => Of(Routes.ConsoleIncident, ("id", id));

    // The incident page's query: which timeline events it shows and how many; its live parts' cursors.
    public const string FilterQuery = "filter";
    public const string ShownQuery = "shown";
    public const string ETagQuery = "etag";
    public const string SettledQuery = "settled";
    public const string UnsettledQuery = "unsettled";
    public const string HeadQuery = "head";
    public const string BeforeQuery = "before";

    /// <summary>The incident page showing the filter's events, the newest <paramref name="shown"/> of them when set.</summary>
    public static string Incident(string id, TimelineFilter filter, int? shown = null) =>
        Incident(id) + Query((FilterQuery, filter == TimelineFilter.All ? null : filter.ValueOf()), (ShownQuery, shown?.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The incident's header and panels, unless its ETag is still <paramref name="etag"/> (204).</summary>
    public static string IncidentLive(string id, string etag) =>
        Of(Routes.ConsoleIncidentLive, ("id", id)) + Query((ETagQuery, etag));

    /// <summary>The timeline events stored after the cursor (204 when none).</summary>
    public static string IncidentTimeline(string id, TimelineCursor cursor, TimelineFilter filter) =>
        Of(Routes.ConsoleIncidentTimeline, ("id", id)) + Query(
            (SettledQuery, cursor.SettledAt.UtcTicks.ToString(CultureInfo.InvariantCulture)),
            (UnsettledQuery, cursor.Unsettled.ToString(CultureInfo.InvariantCulture)),
            (HeadQuery, cursor.Head),
            (FilterQuery, filter == TimelineFilter.All ? null : filter.ValueOf()));

    /// <summary>The next page of older timeline events.</summary>
    public static string IncidentOlder(string id, OlderEvents older, TimelineFilter filter) =>
        Of(Routes.ConsoleIncidentOlder, ("id", id)) + Query(
            (BeforeQuery, older.Before),
            (SettledQuery, older.SettledAt.UtcTicks.ToString(CultureInfo.InvariantCulture)),
            (ShownQuery, older.Shown.ToString(CultureInfo.InvariantCulture)),
            (FilterQuery, filter == TimelineFilter.All ? null : filter.ValueOf()));

    static string Query(params (string Name, string? Value)[] values)
    {
        var present = values.Where(v => v.Value is not null).Select(v => $"{v.Name}={Uri.EscapeDataString(v.Value!)}").ToList();
        return present.Count == 0 ? string.Empty : "?" + string.Join('&', present);
    }

    /// <summary>An API route for a form to call, e.g. <c>Api(Routes.IncidentAcknowledge, ("id", id))</c>.</summary>
    public static string Api(string route, params (string Name, string Value)[] values) => Of(route, values);

    static string Of(string route, params (string Name, string Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            route = route.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return $"/{Routes.Prefix}/{route}";
    }
}
