using IncidentFunctions.Timeline;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// Where an incident page's live timeline stands, so that a poll answers 204 when nothing was recorded since, and never
/// misses an event that is recorded late.
/// <para>
/// Why not the newest event's key: a timeline row key is the event's time (<c>At</c>) and id, and events are written
/// late with an earlier time. An alert is recorded with the time it was received, when the queue delivers it; the
/// orchestration's events carry the orchestration's time and are written by an activity that may run, or be retried,
/// minutes later; a notification's events keep the time of its first claim; a person's change (<c>r{revision}-{n}</c>)
/// is recorded after its row is written, or by the repair of the next request or look. A cursor on the key skips them.
/// </para>
/// <para>
/// So the cursor follows the order events became readable in: the Timestamp the table sets when it writes a row
/// (timeline rows are only ever added, never changed or removed). Two numbers:
/// <see cref="SettledAt"/>, a stored time at or before which the page has every event; and <see cref="Unsettled"/>, how
/// many events stored after it the page holds (its live list, which each change replaces whole). A poll reads the
/// events stored after <see cref="SettledAt"/> (one query): the same count means nothing new (204); else the page gets
/// the events that are now settled, to add to its settled list, and the new live list with the next cursor.
/// </para>
/// <para>
/// <see cref="SettledAt"/> trails the newest stored time the page has seen by <see cref="Overlap"/>: a write still in
/// flight when the page read may be given a Timestamp earlier than one already readable, but not by more than a
/// write can take (the table service gives an operation at most 30 seconds), so it is still counted after the cursor.
/// The cursor reads only the table's own clock, never this host's, so a skew between the two cannot lose an event.
/// </para>
/// <para>
/// <see cref="Head"/> makes the frequent answer cheap: the timeline's head value (<see cref="TimelineStore.ReadHeadAsync"/>,
/// which changes whenever an event is added), read before the events the page holds. The same head later means nothing
/// was added since: 204 after one point read, without querying the partition. Null when the page does not know it.
/// </para>
/// </summary>
public sealed record TimelineCursor(DateTimeOffset SettledAt, int Unsettled, string? Head = null)
{
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(60);

    /// <summary>A page that holds nothing yet: every stored event is new to it.</summary>
    public static readonly TimelineCursor Start = new(DateTimeOffset.MinValue, 0);

    /// <summary>
    /// What the page must change, given the events stored after <see cref="SettledAt"/>; null when there are as many as
    /// the page holds already, which (events being only added) means they are the same ones.
    /// </summary>
    public TimelineDelivery? Next(IReadOnlyList<StoredEvent> storedAfterSettled)
    {
        ArgumentNullException.ThrowIfNull(storedAfterSettled);
        if (storedAfterSettled.Count == Unsettled)
        {
            return null;
        }

        var newest = storedAfterSettled.Count == 0 ? SettledAt : storedAfterSettled.Max(e => e.StoredAt);
        var trailing = newest - DateTimeOffset.MinValue > Overlap ? newest - Overlap : DateTimeOffset.MinValue;
        var settledAt = trailing > SettledAt ? trailing : SettledAt;
        var settled = storedAfterSettled.Where(e => e.StoredAt <= settledAt).ToList();
        var live = storedAfterSettled.Where(e => e.StoredAt > settledAt).ToList();
        return new TimelineDelivery(settled, live, new TimelineCursor(settledAt, live.Count));
    }

    /// <summary>Whether the timeline's head is still the one this cursor was read with: then nothing was added since.</summary>
    public bool Unchanged(string head) => Head is not null && string.Equals(Head, head, StringComparison.Ordinal);

    /// <summary>
    /// What the page must change after the head moved (<see cref="Next"/>), or, when the events it holds are still all
    /// there are (the head moved between the page's two reads), the same live list with the new head, so that the next
    /// poll is cheap again.
    /// </summary>
    public TimelineDelivery After(IReadOnlyList<StoredEvent> storedAfterSettled, string head)
    {
        var delivery = Next(storedAfterSettled) ?? new TimelineDelivery([], storedAfterSettled, this);
        return delivery with { Cursor = delivery.Cursor with { Head = head } };
    }

    /// <summary>The cursor a poll sent (<see cref="SettledAt"/> as UTC ticks); <see cref="Start"/> when absent or not one of ours.</summary>
    public static TimelineCursor Parse(string? settledTicks, string? unsettled, string? head = null) =>
        long.TryParse(settledTicks, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
        && ticks <= DateTimeOffset.MaxValue.UtcTicks
        && int.TryParse(unsettled, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            ? new TimelineCursor(new DateTimeOffset(ticks, TimeSpan.Zero), count, string.IsNullOrEmpty(head) ? null : head)
            : Start;
}

/// <summary>
/// What a page receives for its timeline: <see cref="Settled"/>, events stored at or before the new cursor's
/// <see cref="TimelineCursor.SettledAt"/> that it does not have in its settled list (add them); <see cref="Live"/>, every
/// event stored after it (replace the live list with them).
/// </summary>
public sealed record TimelineDelivery(IReadOnlyList<StoredEvent> Settled, IReadOnlyList<StoredEvent> Live, TimelineCursor Cursor);
