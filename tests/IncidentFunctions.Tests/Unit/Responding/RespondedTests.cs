using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit.Responding;

/// <summary>What acknowledging and resolving do to the response, in the same write as the status.</summary>
public sealed class RespondedTests
{
    static readonly DateTimeOffset Opened = new(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Later = Opened.AddMinutes(4);

    [Fact]
    public void AcknowledgingMovesTriageToInvestigatingRecordsTheMilestoneAndMakesTheAcknowledgerCommander()
    {
        var response = IncidentResponder.Responded(IncidentResponse.ForAlert(Opened), SignalKind.Acknowledge, Later, "alice", "alice");

        Assert.Equal(Stage.Investigating, response.Stage);
        Assert.Equal(Later, response.StageEnteredAt[Stage.Investigating]);
        Assert.Equal(Later, response.Milestones[Milestone.Acknowledged]);
        Assert.Equal("alice", response.Commander);
        Assert.Equal(["alice"], response.Participants);
    }

    [Fact]
    public void AcknowledgingLeavesACommanderWhoLeadsAlready()
    {
        var led = IncidentResponse.ForAlert(Opened) with { Roles = new Dictionary<string, IReadOnlyList<string>> { ["commander"] = ["carol"] } };

        var response = IncidentResponder.Responded(led, SignalKind.Acknowledge, Later, "alice", "alice");

        Assert.Equal("carol", response.Commander);
        Assert.Equal(["alice"], response.Participants);
    }

    [Fact]
    public void AnAcknowledgerThePolicyDoesNotKnowTakesPartButDoesNotLead()
    {
        var response = IncidentResponder.Responded(IncidentResponse.ForAlert(Opened), SignalKind.Acknowledge, Later, person: null, participant: "aad:someone");

        Assert.Null(response.Commander);
        Assert.Equal(["aad:someone"], response.Participants);
    }

    [Fact]
    public void ResolvingMovesAnActiveStageToResolvedAndRecordsTheMilestone()
    {
        var response = IncidentResponder.Responded(IncidentResponse.ForAlert(Opened), SignalKind.Resolve, Later, null, null);

        Assert.Equal(Stage.Resolved, response.Stage);
        Assert.Equal(Later, response.Milestones[Milestone.Resolved]);
        Assert.Empty(response.Participants);
    }

    [Fact]
    public void ResolvingADeclinedIncidentLeavesItDeclined() =>
        Assert.Equal(
            Stage.Declined,
            IncidentResponder.Responded(IncidentResponse.ForAlert(Opened) with { Stage = Stage.Declined }, SignalKind.Resolve, Later, null, null).Stage);
}
