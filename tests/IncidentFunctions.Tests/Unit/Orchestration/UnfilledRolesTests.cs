using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;

using static IncidentFunctions.Tests.Unit.Orchestration.TestEscalation;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>
/// While nobody has acknowledged an incident, nobody holds its command, so unfilled required roles remind the level its
/// escalation is paging at the time (the whole team once it is exhausted), from the triage's deadline on; an
/// acknowledgement hands the reminders to the coordination. Decided by the real orchestrator with scripted activities.
/// </summary>
[Collection(ScriptedLifecycleCollection.Name)]
public sealed class UnfilledRolesTests(ScriptedLifecycle lifecycle)
{
    /// <summary>0.01 minutes: 600 ms after opening, well after level 1 (120 ms) handed over to level 2.</summary>
    const double RolesDue = 0.01;

    /// <summary>0.005 minutes: 300 ms between reminders while the roles stay unfilled.</summary>
    const double RolesEvery = 0.005;

    [Fact]
    public async Task UnfilledRolesRemindTheLevelBeingPagedWhenTheyComeDueAndAgainAtTheInterval()
    {
        var incident = await lifecycle.StartAsync(
            Plan(Level(Quick, Alice), Level(Long, Bob)),
            new ScriptedOpening { RequiredRolesWithinMinutes = RolesDue, RolesEveryMinutes = RolesEvery });

        // Level 1 normally hands over long before the roles are due; on a loaded machine its page can come so late that
        // the first reminder still finds it paging. Either way each reminder names the level paging at the time.
        await incident.UntilAsync(i => i.RolesRemindersAround(n => n.Level == 2).After.Count >= 2, "two roles reminders once level 2 was paged");

        var (whileLevel1, whileLevel2) = incident.RolesRemindersAround(n => n.Level == 2);
        Assert.All(whileLevel1, r => Assert.Equal("1:alice", Named(r)));
        Assert.All(whileLevel2, r => Assert.Equal("2:bob", Named(r)));
        var at = incident.RolesReminders.Select(r => r.At).ToList();
        Assert.True(at[0] >= incident.OpenedAt.AddMinutes(RolesDue), $"reminded at {at[0]:O}, before the roles were due at {incident.OpenedAt.AddMinutes(RolesDue):O}");
        Assert.All(at.Zip(at.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMinutes(RolesEvery), $"a reminder at {pair.Second:O} came before its interval after {pair.First:O}"));
        Assert.Equal([(NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob")], incident.Notified);
        await StopRemindingAsync(incident);
    }

    [Fact]
    public async Task AfterAnAcknowledgementThePagingOrchestrationRemindsNoMore()
    {
        var incident = await lifecycle.StartAsync(
            Plan(Level(Quick, Alice), Level(Long, Bob)),
            new ScriptedOpening { RequiredRolesWithinMinutes = RolesDue, RolesEveryMinutes = RolesEvery });
        await incident.UntilAsync(i => i.RolesReminders.Count >= 1, "the first roles reminder");

        var acknowledgedAt = await incident.AcknowledgeAsync("bob");
        await incident.PhaseAsync(LifecyclePhases.Acknowledged);
        var reminded = incident.RolesReminders.Count;
        await PassedAsync(acknowledgedAt.AddMinutes(3 * RolesEvery));

        Assert.Equal(reminded, incident.RolesReminders.Count);
    }

    [Fact]
    public async Task OnceEscalationIsExhaustedTheWholeTeamIsReminded()
    {
        var incident = await lifecycle.StartAsync(
            Plan(Level(Quick, Alice), Level(Quick, Bob)),
            new ScriptedOpening { RequiredRolesWithinMinutes = RolesDue, RolesEveryMinutes = RolesEvery });

        // Normally exhausted before the roles are due; on a loaded machine a reminder may come while a level still pages.
        await incident.UntilAsync(i => i.RolesRemindersAround(n => n.Kind == NotificationKind.Exhausted).After.Count >= 1, "a roles reminder once escalation was exhausted");

        var (whilePaging, onceExhausted) = incident.RolesRemindersAround(n => n.Kind == NotificationKind.Exhausted);
        Assert.All(whilePaging, r => Assert.NotNull(r.Level));
        Assert.All(onceExhausted, r => Assert.Equal("team:alice,bob,carol", Named(r)));
        Assert.Contains((NotificationKind.Exhausted, null, "alice,bob,carol"), incident.Notified);
        await StopRemindingAsync(incident);
    }

    [Fact]
    public async Task WithoutARolesDeadlineNothingIsReminded()
    {
        var incident = await lifecycle.StartAsync(Plan(Level(Quick, Alice), Level(Quick, Bob)));

        await incident.PhaseAsync(LifecyclePhases.Exhausted);
        await PassedAsync(incident.OpenedAt.AddMinutes(RolesDue));

        Assert.Empty(incident.RolesReminders);
    }

    /// <summary>Whom a reminder went to: "level:people", with "team" for the whole team once escalation is exhausted.</summary>
    static string Named(UnfilledRolesReminder reminder) =>
        $"{reminder.Level?.ToString() ?? "team"}:{string.Join(",", reminder.CurrentLevel.Select(p => p.PersonId))}";

    /// <summary>Resolves the incident so that its reminders stop instead of running on beside the collection's other tests.</summary>
    static async Task StopRemindingAsync(ScriptedIncident incident)
    {
        await incident.ResolveAsync("alice");
        await incident.CompletedAsync();
    }
}
