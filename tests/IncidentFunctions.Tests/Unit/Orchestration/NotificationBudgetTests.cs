using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>An incident that nobody answers must not turn into an email storm.</summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class NotificationBudgetTests(ScriptedLifecycle lifecycle)
{
    [Fact]
    public async Task TheBudgetStopsPagingAndIsRecordedOnce()
    {
        var incident = await lifecycle.StartAsync(Plan(Level(Quick, Alice, Bob, Carol)) with { Repeat = 3, MaxNotifications = 4 });

        await incident.PhaseAsync(LifecyclePhases.Exhausted);

        // Three emails, then one more of the repeat: four. Nobody after that, the whole team's exhaustion notice included.
        Assert.Equal([(NotificationKind.Page, 1, "alice,bob,carol"), (NotificationKind.Page, 1, "alice")], incident.Notified);
        var suppressed = Assert.Single(incident.Recorded, e => e.Type == TimelineEventTypes.NotificationSuppressed);
        Assert.Equal("4", suppressed.Data!["budget"]);

        // Escalations are on the record even when the budget leaves nobody to email.
        Assert.Equal(["1", "2", "3"], incident.Recorded.Where(e => e.Type == TimelineEventTypes.IncidentEscalated).Select(e => e.Data!["cycle"]));
        Assert.Single(incident.Recorded, e => e.Type == TimelineEventTypes.EscalationExhausted);

        // The resolution is not held back by the budget: whoever was paged hears that it is over.
        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();
        Assert.Equal((NotificationKind.Resolved, null, "alice,bob,carol"), incident.Notified[^1]);
        Assert.Single(incident.Recorded, e => e.Type == TimelineEventTypes.NotificationSuppressed);
    }
}
