using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>
/// The alert processor pages level 1 as it opens the incident (see <see cref="IncidentPager"/>); BeginIncident tells the
/// orchestration whether that page was claimed and sent, and the orchestration carries on from it.
/// </summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class FirstPageTests(ScriptedLifecycle lifecycle)
{
    [Fact]
    public async Task AFirstPageAlreadySentIsNotSentAgainAndLevelTwoIsTimedFromIt()
    {
        // Sent a minute ago with a one-minute level: level 2 is due now, not a minute after the orchestration began.
        var firstPagedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var incident = await lifecycle.StartAsync(Plan(Level(1, Alice), Level(Long, Bob)), new ScriptedOpening { FirstPagedAt = firstPagedAt, FirstPageSent = true });

        await incident.UntilAsync(i => i.Notifications.Count == 1, "level 2 paged");

        Assert.Equal([(NotificationKind.Page, 2, "bob")], incident.Notified);
        var escalated = incident.Notifications[0].Preceding!;
        Assert.Equal(TimelineEventTypes.IncidentEscalated, escalated.Type);
        Assert.Equal(firstPagedAt.AddMinutes(1), DateTimeOffset.Parse(escalated.Data!["dueAt"]));

        // Alice was paged all the same: she hears of the resolution.
        await incident.ResolveAsync("bob");
        await incident.CompletedAsync();
        Assert.Equal((NotificationKind.Resolved, null, "alice,bob"), incident.Notified[^1]);
    }

    [Fact]
    public async Task AFirstPageClaimedButNotSentIsSentUnderTheIdItWasClaimedWith()
    {
        var incident = await lifecycle.StartAsync(
            Plan(Level(Quick, Alice), Level(Long, Bob)), new ScriptedOpening { FirstPagedAt = DateTimeOffset.UtcNow, FirstPageSent = false });

        await incident.UntilAsync(i => i.Notifications.Count == 2, "levels 1 and 2 paged");

        // Under the claimed id, the pager emails each recipient once, whichever of the two senders gets there.
        Assert.Equal([(NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob")], incident.Notified);
        Assert.Equal(IncidentPager.FirstPageId, incident.Notifications[0].NotificationId);
        Assert.NotEqual(IncidentPager.FirstPageId, incident.Notifications[1].NotificationId);
    }

    [Fact]
    public async Task AnOpeningHandedOverInTheInputBeginsWithoutAnActivityAndTimesLevelTwoFromThePage()
    {
        var firstPagedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var incident = await lifecycle.StartAsync(
            Plan(Level(1, Alice), Level(Long, Bob)), new ScriptedOpening { FirstPagedAt = firstPagedAt, FirstPageSent = true, HandedOver = true });

        await incident.UntilAsync(i => i.Notifications.Count == 1, "level 2 paged");

        // No BeginIncident and no read of its own: level 2's page reads the incident as it sends (see the next tests).
        Assert.Equal(0, incident.Begins);
        Assert.Equal(0, incident.Reads);
        Assert.Equal(1, incident.Activities);
        Assert.Equal([(NotificationKind.Page, 2, "bob")], incident.Notified);
        var level2 = incident.Notifications[0];
        Assert.Equal(firstPagedAt.AddMinutes(1), DateTimeOffset.Parse(level2.Preceding!.Data!["dueAt"]));
        Assert.Equal(firstPagedAt.AddMinutes(1), level2.DueAt);
    }

    [Fact]
    public async Task ASourceResolveWhoseSignalWasLostAsTheOrchestrationStartedStopsEscalationAtLevelTwo()
    {
        // Handed over as open; level 2 is due 1.2 s after the first page.
        var incident = await lifecycle.StartAsync(
            Plan(Level(0.02, Alice), Level(Long, Bob)),
            new ScriptedOpening { FirstPagedAt = DateTimeOffset.UtcNow, FirstPageSent = true, HandedOver = true });

        // Stored on the row while the instance was being created: its signal went nowhere.
        incident.ResolveAtSourceUnsignalled();
        await incident.CompletedAsync();

        Assert.DoesNotContain(incident.Notifications, n => n.Kind == NotificationKind.Page);
        Assert.Single(incident.SourceResolves);
        Assert.Equal(NotificationKind.Page, Assert.Single(incident.SkippedPages).Notify.Kind);
    }

    [Fact]
    public async Task AnInstanceOfRevisionTwoStillReadsTheIncidentBeforeLevelTwoAndPagesWithoutTheCheck()
    {
        // Started before revision 3 deployed: its history has the read and NotifyRecipients, and replays must match it.
        var incident = await lifecycle.StartAsync(
            Plan(Level(0.02, Alice), Level(Long, Bob)),
            new ScriptedOpening { FirstPagedAt = DateTimeOffset.UtcNow, FirstPageSent = true, HandedOver = true, Revision = 2 });

        await incident.UntilAsync(i => i.Notifications.Count == 1, "level 2 paged");

        Assert.Equal(1, incident.Reads);
        Assert.Equal(0, incident.Count(nameof(LifecycleActivities.PageIfOpen)));
        Assert.Equal(1, incident.Count(nameof(LifecycleActivities.NotifyRecipients)));
    }
}
