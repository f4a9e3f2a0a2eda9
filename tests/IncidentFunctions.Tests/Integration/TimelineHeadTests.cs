using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// The timeline's head on Azurite: its value moves exactly when an event is added (alone or in a batch), not when a
/// redelivered event is refused as recorded, and no read of the events ever returns the head row.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TimelineHeadTests(AzuriteFixture azurite)
{
    TimelineStore Store => new(azurite.Tables);

    static TimelineEvent Event(string name, DateTimeOffset at) =>
        new($"{name}-{Guid.NewGuid():N}", at, TimelineEventTypes.NoteAdded, "head-test", Channels.Api, name);

    [Fact]
    public async Task TheHeadMovesWhenAnEventIsAddedAndStaysWhenARedeliveryIsRefused()
    {
        var incident = "inc-head-" + Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.UtcNow;
        Assert.Equal(TimelineStore.NoHead, await Store.ReadHeadAsync(incident, CancellationToken.None));

        var first = Event("first", at);
        Assert.True(await Store.AppendAsync(incident, first, CancellationToken.None));
        var afterFirst = await Store.ReadHeadAsync(incident, CancellationToken.None);
        Assert.NotEqual(TimelineStore.NoHead, afterFirst);

        Assert.False(await Store.AppendAsync(incident, first, CancellationToken.None));
        Assert.Equal(afterFirst, await Store.ReadHeadAsync(incident, CancellationToken.None));

        // A batch with one event already recorded falls back to adding them one by one: the new ones still move it.
        var batch = Enumerable.Range(0, 3).Select(n => Event($"batch{n}", at.AddSeconds(n + 1))).Prepend(first).ToList();
        await Store.AppendManyAsync(incident, batch, CancellationToken.None);
        var afterBatch = await Store.ReadHeadAsync(incident, CancellationToken.None);
        Assert.NotEqual(afterFirst, afterBatch);

        await Store.AppendManyAsync(incident, batch, CancellationToken.None);
        Assert.Equal(afterBatch, await Store.ReadHeadAsync(incident, CancellationToken.None));
    }

    [Fact]
    public async Task EveryReadOfTheEventsLeavesTheHeadRowOut()
    {
        var incident = "inc-head-" + Guid.NewGuid().ToString("N");
        var events = Enumerable.Range(0, 150).Select(n => Event($"e{n}", DateTimeOffset.UtcNow.AddSeconds(n))).ToList();
        await Store.AppendManyAsync(incident, events, CancellationToken.None);

        var stored = await Store.ReadStoredAsync(incident, CancellationToken.None);
        var after = await Store.ReadStoredAfterAsync(incident, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);
        var paged = new List<TimelineEvent>();
        string? continuation = null;
        do
        {
            var page = await Store.ReadAsync(incident, 40, continuation, CancellationToken.None);
            paged.AddRange(page.Items);
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        var ids = events.Select(e => e.Id).ToList();
        Assert.Equal(ids, stored.Select(e => e.Event.Id));
        Assert.Equal(ids, after.Select(e => e.Event.Id));
        Assert.Equal(ids, paged.Select(e => e.Id));
    }
}
