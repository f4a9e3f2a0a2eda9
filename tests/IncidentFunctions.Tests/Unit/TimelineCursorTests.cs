using IncidentFunctions.Model;
using IncidentFunctions.Timeline;
using IncidentFunctions.WebConsole;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The incident page's timeline cursor: a poll answers nothing when nothing was stored since, and a page that keeps
/// polling ends up with every event exactly once, however late (with however early a time) an event is written.
/// </summary>
public sealed class TimelineCursorTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    static StoredEvent Stored(string id, DateTimeOffset at, DateTimeOffset storedAt)
    {
        var e = new TimelineEvent(id, at, TimelineEventTypes.NoteAdded, "alice", Channels.Api, "note " + id);
        return new StoredEvent(e, TimelineStore.RowKeyOf(e), storedAt);
    }

    /// <summary>What the table answers the poll: the events readable now that it stored after the cursor.</summary>
    static List<StoredEvent> After(IEnumerable<StoredEvent> readable, TimelineCursor cursor) =>
        [.. readable.Where(e => e.StoredAt > cursor.SettledAt).OrderBy(e => e.RowKey, StringComparer.Ordinal)];

    [Fact]
    public void APollWhenNothingWasStoredSinceDeliversNothing()
    {
        var events = new[] { Stored("a", T0, T0), Stored("b", T0.AddSeconds(1), T0.AddSeconds(1)) };
        var first = TimelineCursor.Start.Next(events)!;

        Assert.Null(first.Cursor.Next(After(events, first.Cursor)));
    }

    [Fact]
    public void TheSameHeadMeansNothingNewAndAnUnknownHeadNeverDoes()
    {
        var cursor = TimelineCursor.Start.Next([Stored("a", T0, T0)])!.Cursor with { Head = "h1" };

        Assert.True(cursor.Unchanged("h1"));
        Assert.False(cursor.Unchanged("h2"));
        Assert.False((cursor with { Head = null }).Unchanged(TimelineStore.NoHead));
        Assert.Equal(cursor, TimelineCursor.Parse(cursor.SettledAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), "1", "h1"));
    }

    [Fact]
    public void AMovedHeadWithNoNewEventKeepsThePagesEventsAndTakesTheNewHead()
    {
        // The head moved between the page's head read and its events read: the page already has the event.
        var a = Stored("a", T0, T0);
        var cursor = TimelineCursor.Start.Next([a])!.Cursor with { Head = "h1" };

        var same = cursor.After(After([a], cursor), "h2");
        Assert.Empty(same.Settled);
        Assert.Equal(["a"], same.Live.Select(e => e.Event.Id));
        Assert.Equal(cursor with { Head = "h2" }, same.Cursor);

        var b = Stored("b", T0.AddSeconds(1), T0.AddSeconds(1));
        var next = cursor.After(After([a, b], cursor), "h3");
        Assert.Equal(["a", "b"], next.Live.Select(e => e.Event.Id));
        Assert.Equal("h3", next.Cursor.Head);
    }

    [Fact]
    public void AnEmptyTimelineIsNothingNewAndItsFirstEventIsDelivered()
    {
        Assert.Null(TimelineCursor.Start.Next([]));

        var note = Stored("a", T0, T0);
        var delivery = TimelineCursor.Start.Next([note])!;
        Assert.Equal(["a"], delivery.Live.Select(e => e.Event.Id));
        Assert.Empty(delivery.Settled);
    }

    [Fact]
    public void AnEventWrittenLateWithAnEarlierTimeThanEveryEventOnThePageIsDelivered()
    {
        var page = Enumerable.Range(1, 5).Select(i => Stored($"e{i}", T0.AddMinutes(i), T0.AddMinutes(i))).ToList();
        var cursor = TimelineCursor.Start.Next(page)!.Cursor;

        // An alert received before all of them, recorded when the queue finally delivered it: its key sorts first.
        var late = Stored("late-alert", T0.AddMinutes(-10), T0.AddMinutes(6));
        var delivery = cursor.Next(After([.. page, late], cursor));

        Assert.NotNull(delivery);
        Assert.Equal(["late-alert"], delivery.Live.Select(e => e.Event.Id));

        // e5 was the page's live list, which the delivery replaces: it moves to the settled list, once.
        Assert.Equal(["e5"], delivery.Settled.Select(e => e.Event.Id));
    }

    [Fact]
    public void AWriteInFlightWhenThePageReadIsStillAfterTheCursorOnceReadable()
    {
        // b was given its Timestamp before c, but became readable after the page read c.
        var a = Stored("a", T0, T0);
        var b = Stored("b", T0.AddSeconds(10), T0.AddSeconds(10));
        var c = Stored("c", T0.AddSeconds(11), T0.AddSeconds(11));
        var cursor = TimelineCursor.Start.Next([a, c])!.Cursor;
        Assert.True(b.StoredAt > cursor.SettledAt, "the cursor trails the newest stored time by its overlap");

        var delivery = cursor.Next(After([a, b, c], cursor))!;
        Assert.Contains(delivery.Live, e => e.Event.Id == "b");
    }

    [Fact]
    public void EventsSettleOnceTheOverlapHasPassedAndAreNeitherRepeatedNorLost()
    {
        var a = Stored("a", T0, T0);
        var first = TimelineCursor.Start.Next([a])!;
        Assert.Equal(["a"], first.Live.Select(e => e.Event.Id));

        var b = Stored("b", T0.AddMinutes(5), T0.AddMinutes(5));
        var second = first.Cursor.Next(After([a, b], first.Cursor))!;

        Assert.Equal(["a"], second.Settled.Select(e => e.Event.Id));
        Assert.Equal(["b"], second.Live.Select(e => e.Event.Id));
        Assert.Equal(new TimelineCursor(b.StoredAt - TimelineCursor.Overlap, 1), second.Cursor);
    }

    [Fact]
    public void ACursorThatIsNotOursStartsOver()
    {
        Assert.Equal(TimelineCursor.Start, TimelineCursor.Parse("x", "1"));
        Assert.Equal(TimelineCursor.Start, TimelineCursor.Parse(null, null));
        Assert.Equal(TimelineCursor.Start, TimelineCursor.Parse("-5", "1"));
        Assert.Equal(new TimelineCursor(T0, 3), TimelineCursor.Parse(T0.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), "3"));
    }

    /// <summary>
    /// Many writers recording events with any time they like (up to an hour before they are stored), each write readable
    /// up to 30 seconds after the table stamped it, and a page polling at random moments: the page holds every event
    /// exactly once at the end, and a poll that finds nothing new answers nothing.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void APollingPageEndsWithEveryEventExactlyOnce(int seed)
    {
        var random = new Random(seed);
        var writes = Enumerable.Range(0, 400).Select(i =>
        {
            var storedAt = T0.AddSeconds(random.NextDouble() * 600);
            var at = storedAt.AddSeconds(-random.NextDouble() * 3600);
            return (Event: Stored($"e{i}", at, storedAt), ReadableAt: storedAt.AddSeconds(random.NextDouble() * 30));
        }).ToList();

        var settled = new List<string>();
        var live = new List<string>();
        var cursor = TimelineCursor.Start;
        for (var now = T0; now <= T0.AddSeconds(700); now = now.AddSeconds(random.NextDouble() * 8))
        {
            var readable = writes.Where(w => w.ReadableAt <= now).Select(w => w.Event);
            if (cursor.Next(After(readable, cursor)) is { } delivery)
            {
                settled.AddRange(delivery.Settled.Select(e => e.Event.Id));
                live = [.. delivery.Live.Select(e => e.Event.Id)];
                cursor = delivery.Cursor;
            }
        }

        var all = writes.Select(w => w.Event);
        Assert.Null(cursor.Next(After(all, cursor)));
        var onPage = settled.Concat(live).ToList();
        Assert.Equal(onPage.Count, onPage.Distinct().Count());
        Assert.Equal(writes.Select(w => w.Event.Event.Id).Order(), onPage.Order());
    }
}
