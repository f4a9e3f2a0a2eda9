using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>Which transitions the orchestration publishes as lifecycle events, and what a broker outage does to it.</summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class LifecycleEventTests(ScriptedLifecycle lifecycle)
{
    static readonly EventPublishingPlan Publishing = new(MaxAttempts: 2, RetryInterval: TimeSpan.FromMilliseconds(10));

    [Fact]
    public async Task EachTransitionIsPublishedOnceInTheOrderItHappened()
    {
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice), Level(Long, Bob)) with { AckTimeoutMinutes = Quick }, new ScriptedOpening { Events = Publishing });
        incident.WhenNotified(n => n.Level == 2, i => i.AcknowledgeAsync("bob"));
        await incident.StartAsync();

        await incident.UntilAsync(i => i.Notifications.Count == 4, "the re-triggered escalation back at level 2");
        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();

        Assert.Equal(
            [
                (LifecycleEventKind.Opened, null), (LifecycleEventKind.Escalated, 2), (LifecycleEventKind.Acknowledged, null),
                (LifecycleEventKind.Retriggered, null), (LifecycleEventKind.Escalated, 2), (LifecycleEventKind.Resolved, (int?)null),
            ],
            incident.Published.Select(t => (t.Kind, t.Level)));
        Assert.Equal(6, incident.Published.Select(t => t.EventId).Distinct().Count());
        Assert.Equal(("bob", Channels.Api), (incident.Published[2].Actor, incident.Published[2].Channel));
        Assert.Equal(("alice", Channels.Api), (incident.Published[^1].Actor, incident.Published[^1].Channel));
    }

    [Fact]
    public async Task AnAcknowledgementReadAgainIsNotPublishedAgain()
    {
        var incident = lifecycle.Incident(Plan(Level(Long, Alice)), new ScriptedOpening { Events = Publishing });
        incident.WhenNotified(n => n.Level == 1, i => i.AcknowledgeAsync("alice"));
        await incident.StartAsync();
        await incident.PhaseAsync(LifecyclePhases.Acknowledged);

        // A repeated signal makes the orchestration read the row again, acknowledgement and all.
        await incident.SignalAsync(new LifecycleSignal(SignalKind.Acknowledge, "alice", Channels.EmailLink, DateTimeOffset.UtcNow));
        await incident.UntilAsync(i => i.Reads == 2, "the acknowledged row read twice");
        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();

        Assert.Equal([LifecycleEventKind.Opened, LifecycleEventKind.Acknowledged, LifecycleEventKind.Resolved], incident.Published.Select(t => t.Kind));
    }

    [Fact]
    public async Task AnEventThatCannotBePublishedIsRecordedAndPagingGoesOn()
    {
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice), Level(Long, Bob)), new ScriptedOpening { Events = Publishing });
        incident.BrokerFailure = "broker down";
        await incident.StartAsync();

        await incident.UntilAsync(
            i => i.Notifications.Count == 2 && i.Recorded.Count(e => e.Type == TimelineEventTypes.EventPublishFailed) == 2,
            "level 2 paged and both events' failures recorded");

        Assert.Equal([(NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob")], incident.Notified);
        var attempts = incident.Published;
        Assert.Equal([LifecycleEventKind.Opened, LifecycleEventKind.Opened, LifecycleEventKind.Escalated, LifecycleEventKind.Escalated], attempts.Select(t => t.Kind));
        var failures = incident.Recorded.Where(e => e.Type == TimelineEventTypes.EventPublishFailed).ToList();
        Assert.Equal([attempts[0].EventId, attempts[2].EventId], failures.Select(e => e.Data!["eventId"]));
        Assert.All(failures, e => Assert.Equal("2", e.Data!["attempts"]));
        Assert.All(failures, e => Assert.Contains("broker down", e.Summary));
    }
}
