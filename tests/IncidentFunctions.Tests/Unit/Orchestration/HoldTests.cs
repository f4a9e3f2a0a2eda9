using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>
/// Incidents opened in a maintenance window or while their alert was flapping are recorded, and paged only if they
/// are still open when the hold ends.
/// </summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class HoldTests(ScriptedLifecycle lifecycle)
{
    [Fact]
    public async Task NobodyIsPagedDuringAMaintenanceWindowAndPagingStartsWhenItEndsIfStillOpen()
    {
        var end = DateTimeOffset.UtcNow.AddMilliseconds(250);
        var incident = await lifecycle.StartAsync(Plan(Level(Long, Alice)), new ScriptedOpening { Maintenance = Window(end) });

        await incident.UntilAsync(i => i.Notifications.Count == 1, "the page after the window");

        Assert.Equal([TimelineEventTypes.MaintenanceSuppressed, TimelineEventTypes.MaintenanceEnded], incident.Recorded.Select(e => e.Type));
        Assert.Equal("db-upgrade", incident.Recorded[0].Data!["window"]);
        var ended = incident.Recorded[1];
        Assert.True(ended.At >= end, $"the hold ended at {ended.At:O}, before the window did at {end:O}");
        Assert.Equal((NotificationKind.Page, 1, "alice"), incident.Notified[0]);
        Assert.True(incident.Notifications[0].At >= ended.At);
        Assert.Equal(1, incident.Reads);

        // Due when the window ended, not when the incident opened: a page held for maintenance is not a late page.
        Assert.Equal(end, incident.Notifications[0].DueAt);
    }

    [Fact]
    public async Task AnIncidentResolvedDuringItsMaintenanceWindowIsNeverPaged()
    {
        var end = DateTimeOffset.UtcNow.AddHours(1);
        var incident = await lifecycle.StartAsync(Plan(Level(Quick, Alice)), new ScriptedOpening { Maintenance = Window(end) });

        var status = await incident.PhaseAsync(LifecyclePhases.Maintenance);
        Assert.Equal(end, status.NextAt);
        await incident.ResolveAsync("bob");
        await incident.CompletedAsync();

        Assert.Empty(incident.Notifications);
        Assert.Equal([TimelineEventTypes.MaintenanceSuppressed], incident.Recorded.Select(e => e.Type));
    }

    [Fact]
    public async Task NobodyIsPagedWhileAnIncidentFlapsAndPagingStartsAfterTheFlapWindowIfStillOpen()
    {
        var incident = await lifecycle.StartAsync(Plan(Level(Long, Alice)), new ScriptedOpening { FlappingFor = TimeSpan.FromSeconds(2), FlapCount = 3 });

        await incident.UntilAsync(i => i.Notifications.Count == 1, "the page after the flap window");
        var until = incident.State.FlappingUntil!.Value;

        Assert.Equal([TimelineEventTypes.Flapping, TimelineEventTypes.FlappingEnded], incident.Recorded.Select(e => e.Type));
        Assert.Equal("3", incident.Recorded[0].Data!["openings"]);
        var ended = incident.Recorded[1];
        Assert.True(ended.At >= until, $"the hold ended at {ended.At:O}, before the flap window did at {until:O}");
        Assert.Equal((NotificationKind.Page, 1, "alice"), incident.Notified[0]);
        Assert.True(incident.Notifications[0].At >= ended.At);
    }

    [Fact]
    public async Task AnIncidentResolvedWhileFlappingIsNeverPaged()
    {
        var until = DateTimeOffset.UtcNow.AddHours(1);
        var incident = await lifecycle.StartAsync(Plan(Level(Quick, Alice)), new ScriptedOpening { FlappingUntil = until, FlapCount = 3 });

        var status = await incident.PhaseAsync(LifecyclePhases.Flapping);
        Assert.Equal(until, status.NextAt);
        await incident.ResolveAtSourceAsync();
        await incident.CompletedAsync();

        Assert.Empty(incident.Notifications);
        Assert.Equal([TimelineEventTypes.Flapping], incident.Recorded.Select(e => e.Type));
    }

    static MaintenanceWindow Window(DateTimeOffset end) => new("db-upgrade", "planned", end.AddHours(-1), end);
}
