using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>
/// Which level the orchestration pages when, decided by the real orchestrator on the in-memory Durable Task host with
/// scripted activities (see <see cref="ScriptedLifecycle"/>). The end-to-end counterparts are in
/// Integration/LifecycleTests and PagingTests.
/// </summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class EscalationTests(ScriptedLifecycle lifecycle)
{
    [Fact]
    public async Task LevelsArePagedInOrderEachAfterItsDelayFromThePreviousPage()
    {
        var plan = Plan(Level(Quick, Alice), Level(2 * Quick, Bob, Carol), Level(Long, Carol));
        var incident = await lifecycle.StartAsync(plan);

        await incident.UntilAsync(i => i.Notifications.Count == 3, "levels 1 to 3 paged");

        Assert.Equal(
            [(NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob,carol"), (NotificationKind.Page, 3, "carol")],
            incident.Notified);
        var pages = incident.Notifications;
        for (var level = 2; level <= 3; level++)
        {
            // The level is due the previous level's delay after that page went out, and is not paged before then.
            var previous = pages[level - 2];
            var escalated = pages[level - 1].Preceding!;
            var due = previous.At.AddMinutes(plan.Levels[level - 2].DelayMinutes);
            Assert.Equal(TimelineEventTypes.IncidentEscalated, escalated.Type);
            Assert.Equal(level.ToString(), escalated.Data!["level"]);
            Assert.Equal(due, DateTimeOffset.Parse(escalated.Data["dueAt"]));
            Assert.True(escalated.At >= due, $"level {level} escalated at {escalated.At:O}, before it was due at {due:O}");
            Assert.True(pages[level - 1].At > escalated.At, "the escalation is on the record before the page");
        }

        var status = await incident.PhaseAsync(LifecyclePhases.Triggered, level: 3);
        Assert.Equal(0, status.Cycle);
        Assert.Equal(pages[2].At.AddMinutes(Long), status.NextAt);
    }

    [Fact]
    public async Task ThePolicyRunsOncePlusRepeatTimesThenTellsTheWholeTeamOnceAndWaits()
    {
        var incident = await lifecycle.StartAsync(Plan(Level(Quick, Alice), Level(Quick, Bob)) with { Repeat = 2 });

        await incident.PhaseAsync(LifecyclePhases.Exhausted);

        Assert.Equal(
            [
                (NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob"),
                (NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob"),
                (NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob"),
                (NotificationKind.Exhausted, null, "alice,bob,carol"),
            ],
            incident.Notified);
        Assert.Equal(
            ["2/0", "1/1", "2/1", "1/2", "2/2"],
            incident.Recorded.Where(e => e.Type == TimelineEventTypes.IncidentEscalated).Select(e => $"{e.Data!["level"]}/{e.Data["cycle"]}"));
        Assert.Single(incident.Recorded, e => e.Type == TimelineEventTypes.EscalationExhausted);

        // The exhaustion is recorded by the activity that tells the team, as an escalation is by its page: one
        // activity (a queue round trip and a history episode) where there were two: BeginIncident, six pages, this.
        var told = Assert.Single(incident.Notifications, n => n.Kind == NotificationKind.Exhausted);
        Assert.Equal(TimelineEventTypes.EscalationExhausted, told.Preceding?.Type);
        Assert.Equal(8, incident.Activities);

        // Exhausted, it waits for a person: a signal that changes nothing is read, and pages nobody.
        await incident.SignalAsync(new LifecycleSignal(SignalKind.Acknowledge, "nobody", Channels.Api, DateTimeOffset.UtcNow));
        await incident.UntilAsync(i => i.Reads == 1, "the stray signal read");
        await incident.ResolveAsync("carol");
        await incident.CompletedAsync();

        Assert.Equal(8, incident.Notifications.Count);
        Assert.Equal((NotificationKind.Resolved, null, "alice,bob,carol"), incident.Notified[^1]);
        Assert.Single(incident.Recorded, e => e.Type == TimelineEventTypes.EscalationExhausted);
    }
}
