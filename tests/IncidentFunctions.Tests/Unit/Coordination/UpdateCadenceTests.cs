using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using static IncidentFunctions.Tests.Unit.Coordination.TestResponse;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class UpdateCadenceTests
{
    static UpdateDue? Next(UpdateAudience audience, UpdateRecord last, DateTimeOffset now, Priority priority = Priority.P1, Stage stage = Stage.Investigating) =>
        UpdateCadence.Next(Response, priority, stage, Opened, audience, last, now);

    [Fact]
    public void BeforeTheFirstUpdateOneIsDueTheProtocolsMinutesAfterOpening()
    {
        Assert.Equal(new UpdateDue(UpdateAudience.Internal, Opened.AddMinutes(30), false), Next(UpdateAudience.Internal, UpdateRecord.None, Opened.AddMinutes(30)));
        Assert.Equal(new UpdateDue(UpdateAudience.Stakeholders, Opened.AddMinutes(60), false), Next(UpdateAudience.Stakeholders, UpdateRecord.None, Opened));
    }

    [Fact]
    public void TheNextUpdateIsDueTheProtocolsMinutesAfterTheLastAndOverdueOnceThatPasses()
    {
        var last = new UpdateRecord(Opened.AddMinutes(25), null);

        Assert.Equal(new UpdateDue(UpdateAudience.Internal, Opened.AddMinutes(55), true), Next(UpdateAudience.Internal, last, Opened.AddMinutes(55).AddSeconds(1)));
    }

    [Fact]
    public void TheTimeTheWriterPromisedWinsOverTheProtocol()
    {
        Assert.Equal(Opened.AddHours(2), Next(UpdateAudience.Stakeholders, new UpdateRecord(Opened.AddMinutes(10), Opened.AddHours(2)), Opened)!.DueAt);
        Assert.Equal(Opened.AddMinutes(15), Next(UpdateAudience.Stakeholders, new UpdateRecord(Opened.AddMinutes(10), Opened.AddMinutes(15)), Opened)!.DueAt);
    }

    [Fact]
    public void APriorityWithoutACadenceForAnAudienceHasNothingDue()
    {
        Assert.Null(Next(UpdateAudience.Stakeholders, UpdateRecord.None, Opened, Priority.P3));
        Assert.Equal(Opened.AddMinutes(240), Next(UpdateAudience.Internal, UpdateRecord.None, Opened, Priority.P3)!.DueAt);
    }

    [Fact]
    public void ARaisedPriorityCanMakeAnUpdateOverdueAtOnce() =>
        Assert.True(Next(UpdateAudience.Internal, new UpdateRecord(Opened, null), Opened.AddMinutes(45), Priority.P1)!.Overdue);

    [Theory]
    [InlineData(Stage.Triage)]
    [InlineData(Stage.Resolved)]
    [InlineData(Stage.Closed)]
    [InlineData(Stage.Declined)]
    public void UpdatesAreDueOnlyWhileTheIncidentIsWorkedOn(Stage stage) =>
        Assert.Null(Next(UpdateAudience.Internal, UpdateRecord.None, Opened.AddDays(1), stage: stage));

    [Fact]
    public void TheFirstReminderGoesToTheCommunicationsLeadAndLaterOnesToTheCommanderToo()
    {
        var holders = Holders(("communications", ["bob"]), ("commander", ["alice"]));

        Assert.Equal(new[] { "bob" }, UpdateCadence.Target(holders, 0).People);
        Assert.Equal(new[] { "bob", "alice" }, UpdateCadence.Target(holders, 1).People);
    }

    [Fact]
    public void WithoutACommunicationsLeadTheCommanderIsRemindedFirst() =>
        Assert.Equal(new[] { "alice" }, UpdateCadence.Target(Holders(("commander", ["alice"])), 0).People);

    [Fact]
    public void WithNeitherRoleHeldTheEscalationsCurrentLevelIsReminded()
    {
        var target = UpdateCadence.Target(Holders(("scribe", ["carol"])), 0);

        Assert.True(target.CurrentEscalationLevel);
        Assert.Empty(target.People);
    }
}
