using IncidentFunctions.Coordination;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class StageMachineTests
{
    static readonly DateTimeOffset T0 = TestResponse.Opened;

    static StageState In(Stage stage) => StageMachine.Start(Stage.Triage, T0).Accepted!.Enter(stage, T0);

    static StageChange Accepted(Decision<StageChange> decision)
    {
        Assert.Null(decision.Refused);
        return decision.Accepted!;
    }

    static Refusal Refused(Decision<StageChange> decision)
    {
        Assert.Null(decision.Accepted);
        Assert.Equal("stage", decision.Refused!.Field);
        return decision.Refused;
    }

    [Fact]
    public void AcknowledgingMovesTriageToInvestigating()
    {
        var change = StageMachine.Acknowledged(In(Stage.Triage), T0.AddMinutes(3));

        Assert.Equal((Stage.Triage, Stage.Investigating, true), (change.From, change.To, change.Changed));
        Assert.Equal(T0.AddMinutes(3), change.State.EnteredAt[Stage.Investigating]);
    }

    [Theory]
    [InlineData(Stage.Identified)]
    [InlineData(Stage.Resolved)]
    public void AcknowledgingLeavesALaterStageAlone(Stage stage) =>
        Assert.False(StageMachine.Acknowledged(In(stage), T0).Changed);

    [Theory]
    [InlineData(Stage.Triage)]
    [InlineData(Stage.Investigating)]
    [InlineData(Stage.Identified)]
    [InlineData(Stage.Mitigated)]
    public void ResolvingByAnyChannelMovesAnActiveStageToResolved(Stage stage) =>
        Assert.Equal(Stage.Resolved, StageMachine.Resolved(In(stage), T0).State.Current);

    [Theory]
    [InlineData(Stage.Review)]
    [InlineData(Stage.Closed)]
    [InlineData(Stage.Declined)]
    [InlineData(Stage.Merged)]
    public void ResolvingLeavesAStageBeyondTheResponseWhereItIs(Stage stage) =>
        Assert.Equal(stage, StageMachine.Resolved(In(stage), T0).State.Current);

    [Theory]
    [InlineData(Stage.Investigating, Stage.Triage)]
    [InlineData(Stage.Resolved, Stage.Mitigated)]
    [InlineData(Stage.Closed, Stage.Review)]
    [InlineData(Stage.Declined, Stage.Investigating)]
    public void AChangeTheIncidentsStageDoesNotAllowIsAConflict(Stage from, Stage to) =>
        Assert.True(Refused(StageMachine.Change(In(from), to, StageAuthority.Commander, T0)).Conflict);

    [Fact]
    public void AResponderAskingForACommandersStageIsNotAConflictButAQuestionOfWhoAsks() =>
        Assert.False(Refused(StageMachine.Change(In(Stage.Resolved), Stage.Closed, StageAuthority.Responder, T0)).Conflict);

    [Fact]
    public void SkippingForwardIsAllowed() =>
        Assert.Equal(Stage.Mitigated, Accepted(StageMachine.Change(In(Stage.Investigating), Stage.Mitigated, StageAuthority.Responder, T0)).To);

    [Theory]
    [InlineData(Stage.Mitigated, Stage.Investigating)]
    [InlineData(Stage.Mitigated, Stage.Identified)]
    [InlineData(Stage.Identified, Stage.Investigating)]
    public void AnIncidentThatRegressesMayGoBackAmongTheWorkingStages(Stage from, Stage to) =>
        Assert.Equal(to, Accepted(StageMachine.Change(In(from), to, StageAuthority.Responder, T0)).To);

    [Fact]
    public void NothingGoesBackToTriage() =>
        Assert.Equal(
            "cannot move from investigating to triage; allowed next: identified, mitigated, resolved, declined, merged",
            Refused(StageMachine.Change(In(Stage.Investigating), Stage.Triage, StageAuthority.Commander, T0)).Message);

    [Fact]
    public void AResolvedIncidentDoesNotGoBackToWork() =>
        Assert.Equal(
            "cannot move from resolved to investigating; allowed next: review, closed",
            Refused(StageMachine.Change(In(Stage.Resolved), Stage.Investigating, StageAuthority.Commander, T0)).Message);

    [Fact]
    public void AnOutOfOrderChangeIsRefusedNamingTheStagesAllowedNext() =>
        Assert.Equal(
            "cannot move from triage to review; allowed next: investigating, identified, mitigated, resolved, declined, merged",
            Refused(StageMachine.Change(In(Stage.Triage), Stage.Review, StageAuthority.Commander, T0)).Message);

    [Theory]
    [InlineData(Stage.Closed, Stage.Review)]
    [InlineData(Stage.Declined, Stage.Investigating)]
    [InlineData(Stage.Merged, Stage.Triage)]
    public void NothingLeavesClosedDeclinedOrMerged(Stage from, Stage to) =>
        Assert.Equal(
            $"the incident is {from.ToString().ToLowerInvariant()}; its stage can no longer change",
            Refused(StageMachine.Change(In(from), to, StageAuthority.Commander, T0)).Message);

    [Theory]
    [InlineData(Stage.Resolved, Stage.Review)]
    [InlineData(Stage.Resolved, Stage.Closed)]
    [InlineData(Stage.Review, Stage.Closed)]
    [InlineData(Stage.Investigating, Stage.Declined)]
    [InlineData(Stage.Mitigated, Stage.Merged)]
    public void ReviewClosingDecliningAndMergingAreTheCommandersAlone(Stage from, Stage to)
    {
        Assert.Equal(
            $"only the incident commander can move the incident to {to.ToString().ToLowerInvariant()}",
            Refused(StageMachine.Change(In(from), to, StageAuthority.Responder, T0)).Message);
        Assert.Equal(to, Accepted(StageMachine.Change(In(from), to, StageAuthority.Commander, T0)).To);
    }

    [Fact]
    public void ClosingFromAnActiveStageIsRefusedUntilTheIncidentResolves() =>
        Assert.StartsWith("cannot move from mitigated to closed;", Refused(StageMachine.Change(In(Stage.Mitigated), Stage.Closed, StageAuthority.Commander, T0)).Message);

    [Fact]
    public void DeclinedAndMergedAreSideExitsFromEveryActiveStage()
    {
        foreach (var stage in StageMachine.ActiveStages)
        {
            Assert.Contains(Stage.Declined, StageMachine.AllowedNext(stage, StageAuthority.Commander));
            Assert.Contains(Stage.Merged, StageMachine.AllowedNext(stage, StageAuthority.Commander));
        }

        Assert.DoesNotContain(Stage.Declined, StageMachine.AllowedNext(Stage.Resolved, StageAuthority.Commander));
    }

    [Fact]
    public void EachStageKeepsItsFirstEntryTime()
    {
        var state = StageMachine.Start(Stage.Investigating, T0).Accepted!;
        state = Accepted(StageMachine.Change(state, Stage.Mitigated, StageAuthority.Responder, T0.AddMinutes(10))).State;
        state = Accepted(StageMachine.Change(state, Stage.Investigating, StageAuthority.Responder, T0.AddMinutes(20))).State;
        state = Accepted(StageMachine.Change(state, Stage.Mitigated, StageAuthority.Responder, T0.AddMinutes(30))).State;

        Assert.Equal(Stage.Mitigated, state.Current);
        Assert.Equal(T0, state.EnteredAt[Stage.Investigating]);
        Assert.Equal(T0.AddMinutes(10), state.EnteredAt[Stage.Mitigated]);
        Assert.False(state.EnteredAt.ContainsKey(Stage.Identified));
    }

    [Fact]
    public void AskingForTheCurrentStageChangesNothing()
    {
        var state = In(Stage.Identified);

        var change = Accepted(StageMachine.Change(state, Stage.Identified, StageAuthority.Responder, T0.AddHours(1)));

        Assert.False(change.Changed);
        Assert.Same(state, change.State);
    }

    [Theory]
    [InlineData(Stage.Triage, true)]
    [InlineData(Stage.Investigating, true)]
    [InlineData(Stage.Identified, true)]
    [InlineData(Stage.Mitigated, false)]
    [InlineData(Stage.Closed, false)]
    public void AnIncidentStartsOnlyInAnInitialStage(Stage stage, bool allowed)
    {
        var decision = StageMachine.Start(stage, T0);

        Assert.Equal(allowed, decision.Accepted is not null);
        if (!allowed)
        {
            Assert.Equal(("stage", $"an incident cannot start in {stage.ToString().ToLowerInvariant()}; it can start in triage, investigating, identified"), (decision.Refused!.Field, decision.Refused.Message));
        }
    }
}
