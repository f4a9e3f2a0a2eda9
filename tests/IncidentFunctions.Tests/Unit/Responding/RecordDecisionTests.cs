using System.Text.Json;
using IncidentFunctions.Incidents;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Responding;
using IncidentFunctions.Tests.Unit.Coordination;

namespace IncidentFunctions.Tests.Unit.Responding;

/// <summary>The decisions of the record's routes: what each change writes and records, and what it refuses.</summary>
public sealed class RecordDecisionTests
{
    static readonly DateTimeOffset Opened = TestResponse.Opened;
    static readonly DateTimeOffset Now = Opened.AddMinutes(30);

    static IncidentResponse In(Stage stage) => IncidentResponse.ForAlert(Opened) with
    {
        Stage = stage,
        StageEnteredAt = new Dictionary<Stage, DateTimeOffset> { [Stage.Triage] = Opened, [stage] = Opened.AddMinutes(1) },
    };

    static IncidentEntity Row(Severity severity = Severity.Warning, int impactTier = 1)
    {
        var row = new IncidentEntity { PartitionKey = "INC-1", OpenedAt = Opened, Title = "Checkout slow", Severity = severity.ToString() };
        row.Priority = Priorities.Of(severity, impactTier).ToString();
        row.Triage = JsonSerializer.Serialize(
            new TriageResult("v1", "checkout", "Checkout", "platform", impactTier, Priorities.Of(severity, impactTier), "declared",
                new EscalationPlan("default", [], 0, null, false, [], 10)),
            JsonDefaults.Options);
        return row;
    }

    [Fact]
    public void AStageChangeIsRecordedWithItsReasonAndPublishedAsStageChanged()
    {
        var change = StageChanges.Decide(In(Stage.Investigating), Stage.Identified, "bad deploy found", Now).Accepted!;

        Assert.Equal(Stage.Identified, change.Response.Stage);
        Assert.Equal(Now, change.Response.StageEnteredAt[Stage.Identified]);
        var note = Assert.Single(change.Notes);
        Assert.Equal((TimelineEventTypes.StageChanged, LifecycleEventKind.StageChanged), (note.Type, note.Publish));
        Assert.Equal(new Dictionary<string, string> { ["stage"] = "identified", ["previous"] = "investigating", ["reason"] = "bad deploy found" }, note.Data);
    }

    [Fact]
    public void ReachingMitigatedRecordsTheMitigatedMilestone() =>
        Assert.Equal(Now, StageChanges.Decide(In(Stage.Identified), Stage.Mitigated, null, Now).Accepted!.Response.Milestones[Milestone.Mitigated]);

    [Fact]
    public void AStageOutOfOrderIsAConflictNamingTheStage()
    {
        var refused = StageChanges.Decide(In(Stage.Investigating), Stage.Triage, null, Now).Refused!;

        Assert.Equal(("stage", true), (refused.Field, refused.Conflict));
    }

    [Fact]
    public void AskingForTheCurrentStageChangesNothing() =>
        Assert.Empty(StageChanges.Decide(In(Stage.Identified), Stage.Identified, null, Now).Accepted!.Notes);

    [Fact]
    public void ClosingFromResolvedRecordsTheClosedMilestoneAndPublishesClosed()
    {
        var change = StageChanges.DecideClose(In(Stage.Resolved), "postmortem done", Now).Accepted!;

        Assert.Equal(Stage.Closed, change.Response.Stage);
        Assert.Equal(Now, change.Response.Milestones[Milestone.Closed]);
        Assert.Equal((TimelineEventTypes.IncidentClosed, LifecycleEventKind.Closed), (change.Notes[0].Type, change.Notes[0].Publish));
    }

    [Theory]
    [InlineData(Stage.Investigating)]
    [InlineData(Stage.Mitigated)]
    [InlineData(Stage.Declined)]
    public void ClosingAnIncidentThatIsNotResolvedIsAConflict(Stage stage) =>
        Assert.True(StageChanges.DecideClose(In(stage), null, Now).Refused!.Conflict);

    [Fact]
    public void DecliningNeedsAReasonAndRecordsItAsAStageChange()
    {
        Assert.Equal("reason", StageChanges.DecideDecline(In(Stage.Triage), null, Now).Refused!.Field);

        var change = StageChanges.DecideDecline(In(Stage.Triage), "a test alert", Now).Accepted!;
        Assert.Equal(Stage.Declined, change.Response.Stage);
        Assert.Equal((TimelineEventTypes.IncidentDeclined, LifecycleEventKind.StageChanged), (change.Notes[0].Type, change.Notes[0].Publish));
        Assert.Equal("a test alert", change.Notes[0].Data!["reason"]);
    }

    [Fact]
    public void ASeverityChangeRecomputesThePriorityOnTheRowAndKeepsTheChange()
    {
        var row = Row(Severity.Warning, impactTier: 1);
        var change = SeverityEdits.Decide(row, new SeverityRequest(Severity.Critical, "all customers"), "carol", Now).Accepted!;

        change.AlsoOnRow!(row);

        Assert.Equal((nameof(Severity.Critical), Priorities.Of(Severity.Critical, 1).ToString()), (row.Severity, row.Priority));
        Assert.Equal(new SeverityChange(Now, Severity.Warning, Severity.Critical, Priorities.Of(Severity.Critical, 1), "all customers", "carol"), Assert.Single(change.Response.SeverityChanges));
        Assert.Equal(LifecycleEventKind.SeverityChanged, change.Notes[0].Publish);
        Assert.NotEqual(change.Notes[0].Data!["priority"], change.Notes[0].Data!["previousPriority"]);
    }

    [Fact]
    public void TheIncidentAsReadShowsTheTimeAtEachSeverityUpToItsResolution()
    {
        var row = Row(Severity.Warning);
        row.SetResponse(row.ResponseValue with
        {
            SeverityChanges = [new SeverityChange(Opened.AddMinutes(10), Severity.Warning, Severity.Critical, Priority.P1, "worse", "carol")],
        });
        row.ResolvedAt = Opened.AddMinutes(25);

        var incident = IncidentViews.Of(row, Opened.AddHours(5));

        Assert.Equal(new Dictionary<Severity, double> { [Severity.Warning] = 600, [Severity.Critical] = 900 }, incident.SecondsAtSeverity);
    }

    [Fact]
    public void ASeverityChangeNeedsAReasonAndATriagedIncident()
    {
        Assert.Equal("reason", SeverityEdits.Decide(Row(), new SeverityRequest(Severity.Critical, " "), "carol", Now).Refused!.Field);

        var untriaged = Row();
        untriaged.Triage = null;
        Assert.True(SeverityEdits.Decide(untriaged, new SeverityRequest(Severity.Critical, "why"), "carol", Now).Refused!.Conflict);
    }

    [Fact]
    public void TheSameSeverityChangesNothing() =>
        Assert.Empty(SeverityEdits.Decide(Row(Severity.Warning), new SeverityRequest(Severity.Warning, "still"), "carol", Now).Accepted!.Notes);

    [Fact]
    public void AMilestoneCorrectionRecordsTheOldAndNewTimeTheReasonAndWho()
    {
        var response = IncidentResponse.ForAlert(Opened);

        var change = MilestoneCorrections.Decide(response, new MilestoneRequest(Milestone.Detected, Opened.AddMinutes(-5), "the graph shows it earlier"), "carol", Now).Accepted!;

        Assert.Equal(Opened.AddMinutes(-5), change.Response.Milestones[Milestone.Detected]);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["milestone"] = "detected", ["old"] = Opened.ToString("O"), ["new"] = Opened.AddMinutes(-5).ToString("O"),
                ["reason"] = "the graph shows it earlier", ["by"] = "carol",
            },
            change.Notes[0].Data);
        Assert.Equal(TimelineEventTypes.MilestoneCorrected, change.Notes[0].Type);
    }

    [Fact]
    public void AMilestoneCorrectionBreakingTheOrderIsAConflictNamingTheMilestone()
    {
        var response = IncidentResponse.ForAlert(Opened) with
        {
            Milestones = new Dictionary<Milestone, DateTimeOffset> { [Milestone.Detected] = Opened, [Milestone.Acknowledged] = Opened.AddMinutes(2) },
        };

        var refused = MilestoneCorrections.Decide(response, new MilestoneRequest(Milestone.Detected, Opened.AddMinutes(3), "typo"), "carol", Now).Refused!;

        Assert.Equal(("milestones.detected", true), (refused.Field, refused.Conflict));
    }

    [Fact]
    public void AnEditChangesTheTitleOnTheRowAndRecordsOneEventNamingTheFieldsChanged()
    {
        var row = Row();
        var change = IncidentRecordEdits.Decide(row, new EditRequest(Title: "Checkout down", Summary: "All payments fail"), TestResponse.Response).Accepted!;

        change.AlsoOnRow!(row);

        Assert.Equal("Checkout down", row.Title);
        Assert.Equal("All payments fail", change.Response.Summary);
        var note = Assert.Single(change.Notes);
        Assert.Equal((TimelineEventTypes.IncidentEdited, "Edited title, summary"), (note.Type, note.Summary));
        Assert.Equal("Checkout slow", note.Data!["previousTitle"]);
    }

    [Fact]
    public void ANewCategoryIsRecordedWithThePreviousOneForItsPlaybook()
    {
        var row = Row();
        row.SetResponse(row.ResponseValue with { Category = "outage" });

        var change = IncidentRecordEdits.Decide(row, new EditRequest(Category: "security"), TestResponse.Response).Accepted!;

        Assert.Equal("security", change.Response.Category);
        var note = Assert.Single(change.Notes);
        Assert.Equal(TimelineEventTypes.IncidentCategorized, note.Type);
        Assert.Equal(new Dictionary<string, string> { ["category"] = "security", ["previous"] = "outage" }, note.Data);
    }

    [Fact]
    public void AnEditRepeatingEveryValueChangesNothing()
    {
        var change = IncidentRecordEdits.Decide(Row(), new EditRequest(Title: "Checkout slow", Visibility: Visibility.Standard), TestResponse.Response).Accepted!;

        Assert.Empty(change.Notes);
        Assert.Null(change.AlsoOnRow);
    }

    [Fact]
    public void NamingVisibilityNeedsTheCommandPermission()
    {
        Assert.Equal(Access.Permission.Command, IncidentRecordEdits.PermissionFor(JsonDocument.Parse("""{ "visibility": "standard" }""").RootElement));
        Assert.Equal(Access.Permission.Respond, IncidentRecordEdits.PermissionFor(JsonDocument.Parse("""{ "title": "x", "visibility": null }""").RootElement));
    }
}
