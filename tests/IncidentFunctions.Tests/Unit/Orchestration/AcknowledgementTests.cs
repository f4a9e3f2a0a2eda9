using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>What an acknowledgement does to escalation, and what happens when it goes stale.</summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class AcknowledgementTests(ScriptedLifecycle lifecycle)
{
    [Fact]
    public async Task AnAcknowledgementStopsEscalation()
    {
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice), Level(Quick, Bob)));
        incident.WhenNotified(n => n.Level == 1, i => i.AcknowledgeAsync("alice"));
        await incident.StartAsync();

        var status = await incident.PhaseAsync(LifecyclePhases.Acknowledged);
        Assert.Null(status.NextAt);
        await PassedAsync(incident.Notifications[0].At.AddMinutes(Quick));
        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();

        Assert.Equal([(NotificationKind.Page, 1, "alice"), (NotificationKind.Resolved, null, "alice")], incident.Notified);
        Assert.DoesNotContain(incident.Recorded, e => e.Type == TimelineEventTypes.IncidentEscalated);
        Assert.Empty(incident.Retriggers);
    }

    [Fact]
    public async Task AnAcknowledgementWhoseSignalHasNotArrivedStopsTheNextPageAtItsCheck()
    {
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice), Level(Quick, Bob)));
        incident.WhenNotified(n => n.Level == 1, i =>
        {
            i.AcknowledgeUnsignalled("alice");
            return Task.CompletedTask;
        });
        await incident.StartAsync();

        // Level 2 comes due with the orchestration unaware; its page finds the acknowledgement and stops there.
        await incident.PhaseAsync(LifecyclePhases.Acknowledged);
        Assert.Equal([(NotificationKind.Page, 1, "alice")], incident.Notified);
        var skipped = Assert.Single(incident.SkippedPages);
        Assert.Equal(2, skipped.Notify.Level);
        Assert.DoesNotContain(incident.Recorded, e => e.Type == TimelineEventTypes.IncidentEscalated);

        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();
        Assert.Equal((NotificationKind.Resolved, null, "alice"), incident.Notified[^1]);
    }

    [Fact]
    public async Task AStaleAcknowledgementRetriggersAndPagesFromLevelOneAgain()
    {
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice), Level(Long, Bob)) with { AckTimeoutMinutes = Quick });
        var acknowledged = new TaskCompletionSource<DateTimeOffset>();
        incident.WhenNotified(n => n.Level == 2, async i => acknowledged.SetResult(await i.AcknowledgeAsync("bob")));
        await incident.StartAsync();

        await incident.UntilAsync(i => i.Notifications.Count == 4, "the re-triggered escalation back at level 2");

        Assert.Equal(
            [
                (NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob"),
                (NotificationKind.Retriggered, 1, "alice"), (NotificationKind.Page, 2, "bob"),
            ],
            incident.Notified);
        var acknowledgedAt = await acknowledged.Task;
        var retrigger = Assert.Single(incident.Retriggers);
        Assert.Equal((acknowledgedAt, Quick), (retrigger.AcknowledgedAt, retrigger.AfterMinutes));
        Assert.True(retrigger.At >= acknowledgedAt.AddMinutes(Quick), $"re-triggered at {retrigger.At:O}, before the acknowledgement at {acknowledgedAt:O} went stale");
        var repage = incident.Notifications[2];
        Assert.True(repage.At >= retrigger.At);
        Assert.NotEqual(IncidentPager.FirstPageId, repage.NotificationId);
        Assert.Equal((IncidentStatus.Open, retrigger.EventId), (incident.State.Status, incident.State.LastRetriggerEventId));

        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();
        Assert.Equal((NotificationKind.Resolved, null, "alice,bob"), incident.Notified[^1]);
    }

    [Fact]
    public async Task AnAcknowledgementStoredBeforeTheOrchestrationBeginsTellsTheFirstPagedOfTheResolution()
    {
        // The alert processor paged alice and she acknowledged before the orchestration's start came through.
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice), Level(Quick, Bob)), new ScriptedOpening { FirstPagedAt = DateTimeOffset.UtcNow, FirstPageSent = true });
        await incident.AcknowledgeAsync("alice");
        await incident.StartAsync();

        await incident.PhaseAsync(LifecyclePhases.Acknowledged);
        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();

        Assert.Equal([(NotificationKind.Resolved, null, "alice")], incident.Notified);
    }
}
