using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>How an incident ends: resolved by a person or by its source, and who hears of it.</summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class ResolutionTests(ScriptedLifecycle lifecycle)
{
    [Fact]
    public async Task AResolutionEndsItAndTellsEveryonePagedOnceEach()
    {
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice, Bob), Level(Long, Bob, Carol)));
        incident.WhenNotified(n => n.Level == 2, i => i.ResolveAsync("carol"));
        await incident.StartAsync();

        var done = await incident.CompletedAsync();

        Assert.Equal(LifecyclePhases.Resolved, done.ReadOutputAs<string>());
        Assert.Equal(
            [(NotificationKind.Page, 1, "alice,bob"), (NotificationKind.Page, 2, "bob,carol"), (NotificationKind.Resolved, null, "alice,bob,carol")],
            incident.Notified);
        Assert.Empty(incident.SourceResolves);
    }

    [Fact]
    public async Task ASourceResolveEndsItWhenThePolicyAutoResolves()
    {
        var incident = lifecycle.Incident(Plan(Level(Long, Alice)));
        incident.WhenNotified(n => n.Level == 1, i => i.ResolveAtSourceAsync());
        await incident.StartAsync();

        await incident.CompletedAsync();

        var resolve = Assert.Single(incident.SourceResolves);
        Assert.Equal(incident.State.SourceResolvedAt, resolve.SourceResolvedAt);
        Assert.Equal((IncidentStatus.Resolved, ScriptedIncident.Integration, Channels.Source), (incident.State.Status, incident.State.ResolvedBy, incident.State.ResolvedVia));
        Assert.Equal([(NotificationKind.Page, 1, "alice"), (NotificationKind.Resolved, null, "alice")], incident.Notified);
        Assert.DoesNotContain(incident.Recorded, e => e.Type == TimelineEventTypes.AutoResolveSkipped);
    }

    [Fact]
    public async Task ASourceResolveIsNotedOnceAndEscalationCarriesOnWhenThePolicyDoesNotAutoResolve()
    {
        var incident = lifecycle.Incident(Plan(Level(Quick, Alice), Level(Long, Bob)) with { AutoResolve = false });

        // Senders repeat a resolved notification; the second must not be noted again.
        incident.WhenNotified(n => n.Level == 1, async i =>
        {
            await i.ResolveAtSourceAsync();
            await i.ResolveAtSourceAsync();
        });
        await incident.StartAsync();

        await incident.UntilAsync(i => i.Notifications.Count == 2 && i.Reads == 2, "level 2 paged and both source signals read");

        Assert.Equal([(NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob")], incident.Notified);
        Assert.Single(incident.Recorded, e => e.Type == TimelineEventTypes.AutoResolveSkipped);
        Assert.Empty(incident.SourceResolves);
        Assert.Equal(IncidentStatus.Open, incident.State.Status);

        await incident.ResolveAsync("bob");
        await incident.CompletedAsync();
        Assert.Equal((NotificationKind.Resolved, null, "alice,bob"), incident.Notified[^1]);
        Assert.Single(incident.Recorded, e => e.Type == TimelineEventTypes.AutoResolveSkipped);
    }
}
