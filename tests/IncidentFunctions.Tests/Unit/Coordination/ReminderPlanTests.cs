using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using static IncidentFunctions.Tests.Unit.Coordination.TestResponse;

namespace IncidentFunctions.Tests.Unit.Coordination;

/// <summary>
/// Every reminder of an incident from its state and the time. The test policy reminds every 10 minutes; at P3 updates to
/// stakeholders are never due and internal ones 240 minutes apart, and required roles are due 60 minutes after opening.
/// </summary>
public sealed class ReminderPlanTests
{
    /// <summary>Every required role filled, at P3, so that only what a test adds comes due in its first hour.</summary>
    static CoordinationState State(params CoordinationTask[] tasks) => new(
        "inc-1",
        Opened,
        Priority.P3,
        Stage.Investigating,
        Holders(("commander", ["alice"]), ("communications", ["bob"]), ("ops-lead", ["carol"])),
        tasks,
        UpdateRecord.None,
        UpdateRecord.None);

    static readonly CoordinationTask Deploys = new("t-1", TaskAssignee.ToPerson("dave"), IncidentTaskStatus.Open, Opened.AddMinutes(15));

    [Fact]
    public void BeforeAnythingIsDueNothingIsSentAndTheNextLookIsAtTheEarliestDueTime()
    {
        var plan = Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(5));

        Assert.Empty(plan.DueNow);
        Assert.Equal(Opened.AddMinutes(15), plan.NextAt);
    }

    [Fact]
    public void AnOverdueTaskRemindsItsAssigneeAtItsDueTimeThenEveryInterval()
    {
        var first = Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(15));
        var second = Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(25));

        var reminder = Assert.Single(first.DueNow);
        Assert.Equal((ReminderKind.TaskOverdue, "t-1", Opened.AddMinutes(15)), (reminder.Kind, reminder.Subject, reminder.DueAt));
        Assert.Equal(["dave"], reminder.Target.People);
        Assert.Equal(Opened.AddMinutes(25), first.NextAt);
        Assert.Equal(Opened.AddMinutes(25), Assert.Single(second.DueNow).DueAt);
        Assert.Equal(Opened.AddMinutes(35), second.NextAt);
    }

    [Fact]
    public void AnOrchestrationThatWakesLateSendsOneReminderForTheLatestSlot()
    {
        var plan = Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(52));

        Assert.Equal(Opened.AddMinutes(45), Assert.Single(plan.DueNow).DueAt);
        Assert.Equal(Opened.AddMinutes(55), plan.NextAt);
    }

    [Fact]
    public void DecidingAgainNamesTheSameReminderAndALaterSlotAnother()
    {
        var once = Assert.Single(Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(15)).DueNow);
        var again = Assert.Single(Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(17)).DueNow);
        var later = Assert.Single(Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(26)).DueNow);

        Assert.Equal(once.DedupeId, again.DedupeId);
        Assert.NotEqual(once.DedupeId, later.DedupeId);
        Assert.NotEqual(once.DedupeId, Reminders.DedupeId("inc-2", once.Kind, once.Subject, once.DueAt));
        Assert.Matches("^[0-9a-f]{32}$", once.DedupeId);
    }

    [Fact]
    public void ASlotAtOrBeforeThePreviousLookIsNotDueAgain()
    {
        Assert.Empty(Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(17), since: Opened.AddMinutes(15)).DueNow);
        Assert.Single(Reminders.Plan(State(Deploys), Response, Opened.AddMinutes(17), since: Opened.AddMinutes(14)).DueNow);
    }

    [Fact]
    public void AFinishedTaskRemindsNoMore() =>
        Assert.Empty(Reminders.Plan(State(Deploys with { Status = IncidentTaskStatus.Done }), Response, Opened.AddMinutes(30)).DueNow);

    [Theory]
    [InlineData(Stage.Resolved)]
    [InlineData(Stage.Closed)]
    [InlineData(Stage.Merged)]
    public void AnIncidentNoLongerActiveRemindsNothing(Stage stage)
    {
        var plan = Reminders.Plan(State(Deploys) with { Stage = stage, Roles = Holders() }, Response, Opened.AddHours(5));

        Assert.Empty(plan.DueNow);
        Assert.Null(plan.NextAt);
    }

    [Fact]
    public void ATaskForARoleRemindsItsHoldersAndForARoleNobodyHoldsTheCommander()
    {
        var forComms = new CoordinationTask("t-2", TaskAssignee.ToRole("communications"), IncidentTaskStatus.InProgress, Opened.AddMinutes(15));
        var forScribe = new CoordinationTask("t-3", TaskAssignee.ToRole("scribe"), IncidentTaskStatus.Open, Opened.AddMinutes(15));

        var due = Reminders.Plan(State(forComms, forScribe), Response, Opened.AddMinutes(15)).DueNow;

        Assert.Equal(["bob"], due.Single(r => r.Subject == "t-2").Target.People);
        Assert.Equal(["alice"], due.Single(r => r.Subject == "t-3").Target.People);
    }

    [Fact]
    public void UnfilledRequiredRolesRemindTheCommanderOrWithoutOneTheEscalationsCurrentLevel()
    {
        var withCommander = State() with { Roles = Holders(("commander", ["alice"])) };
        var withNobody = State() with { Roles = Holders() };

        var reminder = Assert.Single(Reminders.Plan(withCommander, Response, Opened.AddMinutes(60)).DueNow);
        Assert.Equal((ReminderKind.RequiredRoles, "communications,ops-lead"), (reminder.Kind, reminder.Subject));
        Assert.Equal(["alice"], reminder.Target.People);
        Assert.True(Assert.Single(Reminders.Plan(withNobody, Response, Opened.AddMinutes(60)).DueNow).Target.CurrentEscalationLevel);
        Assert.Empty(Reminders.Plan(withCommander, Response, Opened.AddMinutes(59)).DueNow);
    }

    [Fact]
    public void AnOverdueUpdateRemindsTheCommunicationsLeadThenTheCommanderToo()
    {
        var state = State() with { Priority = Priority.P1, InternalUpdates = new UpdateRecord(Opened.AddMinutes(20), null), StakeholderUpdates = new UpdateRecord(Opened, Opened.AddHours(3)) };

        var first = Assert.Single(Reminders.Plan(state, Response, Opened.AddMinutes(50)).DueNow);
        var second = Assert.Single(Reminders.Plan(state, Response, Opened.AddMinutes(60)).DueNow);

        Assert.Equal((ReminderKind.UpdateOverdue, "internal", Opened.AddMinutes(50)), (first.Kind, first.Subject, first.DueAt));
        Assert.Equal(["bob"], first.Target.People);
        Assert.Equal(["bob", "alice"], second.Target.People);
    }

    /// <summary>
    /// Before anyone acknowledges, only unfilled roles remind (the level being paged), under the dedupe id the full plan
    /// gives the same slot; an overdue task or update waits for someone to take the incident on.
    /// </summary>
    [Fact]
    public void TheRolesPlanOfAnUnacknowledgedIncidentHoldsOnlyTheUnfilledRolesUnderTheFullPlansIds()
    {
        var unled = State(Deploys) with { Stage = Stage.Triage, Roles = Holders() };
        var at = Opened.AddMinutes(241);

        var roles = Reminders.RequiredRoles(unled, Response, at);
        var full = Reminders.Plan(unled, Response, at);

        var reminder = Assert.Single(roles.DueNow);
        Assert.Equal(ReminderKind.RequiredRoles, reminder.Kind);
        Assert.True(reminder.Target.CurrentEscalationLevel);
        Assert.Contains(full.DueNow, r => r.DedupeId == reminder.DedupeId);
        Assert.Contains(full.DueNow, r => r.Kind != ReminderKind.RequiredRoles);
        Assert.Equal(reminder.DueAt.AddMinutes(10), roles.NextAt);
    }
}
