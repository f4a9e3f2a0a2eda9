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

    [Fact]
    public async Task UnfilledRolesRemindTheLevelBeingPagedWhenTheyComeDueAndAgainAtTheInterval()
    {
        var incident = await lifecycle.StartAsync(
            Plan(Level(Quick, Alice), Level(Long, Bob)),
            new ScriptedOpening { RequiredRolesWithinMinutes = RolesDue, RolesEveryMinutes = 0.005 });

        await incident.UntilAsync(i => i.RolesReminders.Count >= 2, "two roles reminders");

        var (first, firstAt) = incident.RolesReminders[0];
        Assert.Equal(2, first.Level);
        Assert.Equal(["bob"], first.CurrentLevel.Select(r => r.PersonId));
        Assert.True(firstAt >= incident.OpenedAt.AddMinutes(RolesDue), $"reminded at {firstAt:O}, before the roles were due at {incident.OpenedAt.AddMinutes(RolesDue):O}");
        var (_, secondAt) = incident.RolesReminders[1];
        Assert.True(secondAt - firstAt >= TimeSpan.FromMinutes(0.005), "the second reminder came before its interval");
        Assert.Equal([(NotificationKind.Page, 1, "alice"), (NotificationKind.Page, 2, "bob")], incident.Notified);
    }

    [Fact]
    public async Task AfterAnAcknowledgementThePagingOrchestrationRemindsNoMore()
    {
        var incident = await lifecycle.StartAsync(
            Plan(Level(Quick, Alice), Level(Long, Bob)),
            new ScriptedOpening { RequiredRolesWithinMinutes = RolesDue, RolesEveryMinutes = 0.005 });
        await incident.UntilAsync(i => i.RolesReminders.Count >= 1, "the first roles reminder");

        var acknowledgedAt = await incident.AcknowledgeAsync("bob");
        await incident.PhaseAsync(LifecyclePhases.Acknowledged);
        var reminded = incident.RolesReminders.Count;
        await PassedAsync(acknowledgedAt.AddMinutes(3 * 0.005));

        Assert.Equal(reminded, incident.RolesReminders.Count);
    }

    [Fact]
    public async Task OnceEscalationIsExhaustedTheWholeTeamIsReminded()
    {
        var incident = await lifecycle.StartAsync(
            Plan(Level(Quick, Alice), Level(Quick, Bob)),
            new ScriptedOpening { RequiredRolesWithinMinutes = RolesDue });

        await incident.UntilAsync(i => i.RolesReminders.Count >= 1, "the roles reminder");

        var (reminder, _) = incident.RolesReminders[0];
        Assert.Null(reminder.Level);
        Assert.Equal(["alice", "bob", "carol"], reminder.CurrentLevel.Select(r => r.PersonId));
        Assert.Contains((NotificationKind.Exhausted, null, "alice,bob,carol"), incident.Notified);
    }

    [Fact]
    public async Task WithoutARolesDeadlineNothingIsReminded()
    {
        var incident = await lifecycle.StartAsync(Plan(Level(Quick, Alice), Level(Quick, Bob)));

        await incident.PhaseAsync(LifecyclePhases.Exhausted);
        await PassedAsync(incident.OpenedAt.AddMinutes(RolesDue));

        Assert.Empty(incident.RolesReminders);
    }
}
