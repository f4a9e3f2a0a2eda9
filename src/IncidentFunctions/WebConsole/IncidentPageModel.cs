using IncidentFunctions.Access;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// The incident page's timeline: the live list (the newest of the events stored after the cursor; <see cref="LiveHidden"/> more
/// are shown when they settle), the settled list (the newest of the rest), and where older events start.
/// </summary>
public sealed record TimelineView(
    string IncidentId,
    TimelineFilter Filter,
    IReadOnlySet<string> Pinned,
    IReadOnlyList<StoredEvent> Live,
    int LiveHidden,
    IReadOnlyList<StoredEvent> Settled,
    TimelineCursor Cursor,
    OlderEvents? Older);

/// <summary>
/// The link to the settled events older than <see cref="Before"/> (a row key): those stored at or before
/// <see cref="SettledAt"/>, the page's first cursor, since any stored later came through the live list.
/// <see cref="Shown"/> is how many the page shows, for the same link without script (a longer page).
/// </summary>
public sealed record OlderEvents(string Before, DateTimeOffset SettledAt, int Shown);

/// <summary>A page of older events, newest first, and the link to the next, if any.</summary>
public sealed record OlderPage(string IncidentId, TimelineFilter Filter, IReadOnlySet<string> Pinned, IReadOnlyList<StoredEvent> Events, OlderEvents? Older);

/// <summary>A poll's answer for the timeline: the new live list, the events to add to the settled list, the next cursor.</summary>
public sealed record TimelineUpdate(string IncidentId, TimelineFilter Filter, IReadOnlySet<string> Pinned, TimelineDelivery Delivery)
{
    public IReadOnlyList<StoredEvent> Live => IncidentPageModel.Shown(Delivery.Live, Filter, Pinned);

    /// <summary>The newest of <see cref="Live"/>, as many as a page shows; the rest are shown once they settle.</summary>
    public IReadOnlyList<StoredEvent> LiveShown => [.. Live.Take(IncidentPageModel.TimelinePage)];

    public IReadOnlyList<StoredEvent> Settled => IncidentPageModel.Shown(Delivery.Settled, Filter, Pinned);
}

/// <summary>What the incident page and its fragments show, decided from what the stores read: plain C#, no I/O.</summary>
public static class IncidentPageModel
{
    /// <summary>
    /// How many timeline events a page shows at first, and how many more each "older" adds. The live list shows as many
    /// of the events stored in the last minute at most: after a burst (a storm's alerts, a playbook's tasks) the rest
    /// are shown as they settle, all of them, never skipped (see <see cref="TimelineCursor"/>).
    /// </summary>
    public const int TimelinePage = 50;

    /// <summary>The most a page shows at once without script (following "older" as plain links).</summary>
    public const int MaxShown = 5000;

    /// <summary>
    /// The view the page and its panels render: what the viewer may do is the API's own decision on this incident's
    /// facts (<see cref="IncidentAccess.Decide"/>), so its own commander may command it whatever their app role.
    /// </summary>
    public static IncidentView ViewOf(Caller viewer, Incident incident, string etag, IncidentAccessFacts facts, IncidentPolicy policy, DateTimeOffset now) =>
        new(
            incident,
            etag,
            viewer,
            IncidentAccess.Decide(viewer, Permission.Respond, facts) == AccessDecision.Allowed,
            IncidentAccess.Decide(viewer, Permission.Command, facts) == AccessDecision.Allowed,
            policy,
            now);

    /// <summary>
    /// The page's timeline from the whole stored timeline, read after its <paramref name="head"/>: its first cursor, and
    /// the newest <paramref name="shown"/> settled events.
    /// </summary>
    public static TimelineView TimelineOf(
        string incidentId, IReadOnlyList<StoredEvent> stored, string head, TimelineFilter filter, IReadOnlyCollection<string> pinned, int shown)
    {
        var pins = pinned.ToHashSet(StringComparer.Ordinal);
        var first = TimelineCursor.Start.Next(stored);
        var cursor = (first?.Cursor ?? TimelineCursor.Start) with { Head = head };
        var settled = Shown(first?.Settled ?? [], filter, pins);
        var page = settled.Take(shown).ToList();
        var older = settled.Count > page.Count ? new OlderEvents(page[^1].RowKey, cursor.SettledAt, page.Count) : null;
        var live = Shown(first?.Live ?? [], filter, pins);
        return new TimelineView(incidentId, filter, pins, [.. live.Take(TimelinePage)], live.Count - Math.Min(live.Count, TimelinePage), page, cursor, older);
    }

    /// <summary>The next page of settled events older than <paramref name="before"/>.</summary>
    public static OlderPage OlderOf(string incidentId, IReadOnlyList<StoredEvent> stored, OlderEvents before, TimelineFilter filter, IReadOnlyCollection<string> pinned)
    {
        ArgumentNullException.ThrowIfNull(before);
        var pins = pinned.ToHashSet(StringComparer.Ordinal);
        var older = Shown(stored.Where(e => e.StoredAt <= before.SettledAt && string.CompareOrdinal(e.RowKey, before.Before) < 0).ToList(), filter, pins);
        var page = older.Take(TimelinePage).ToList();
        var next = older.Count > page.Count ? new OlderEvents(page[^1].RowKey, before.SettledAt, before.Shown + page.Count) : null;
        return new OlderPage(incidentId, filter, pins, page, next);
    }

    /// <summary>The events the filter shows, newest first (by the time they carry, the timeline's order).</summary>
    public static IReadOnlyList<StoredEvent> Shown(IEnumerable<StoredEvent> events, TimelineFilter filter, IReadOnlySet<string> pinned) =>
        [.. events.Where(e => filter.Shows(e.Event, pinned)).OrderByDescending(e => e.RowKey, StringComparer.Ordinal)];
}
