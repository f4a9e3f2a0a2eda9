using System.Text.Json;
using Azure;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit.Responding;

public sealed class IncidentResponseTests
{
    static readonly DateTimeOffset Opened = new(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnAlertOpenedIncidentWithoutARecordReadsAsInTriageAndDetectedWhenItOpened()
    {
        var row = new IncidentEntity { PartitionKey = "INC-1", OpenedAt = Opened };

        var response = row.ResponseValue;

        Assert.Equal(Stage.Triage, response.Stage);
        Assert.Equal(Opened, response.StageEnteredAt[Stage.Triage]);
        Assert.Equal(Opened, response.Milestones[Milestone.Detected]);
        Assert.Null(response.Commander);
        Assert.Null(row.Response);
    }

    [Fact]
    public void TheRecordSurvivesTheRowWithEveryFieldAndEnumKeysInTheApiSpelling()
    {
        var row = new IncidentEntity { PartitionKey = "INC-1", OpenedAt = Opened };
        var response = IncidentResponse.ForAlert(Opened) with
        {
            Stage = Stage.Mitigated,
            StageEnteredAt = new Dictionary<Stage, DateTimeOffset> { [Stage.Triage] = Opened, [Stage.Mitigated] = Opened.AddMinutes(9) },
            Roles = new Dictionary<string, IReadOnlyList<string>> { ["commander"] = ["alice"], ["scribe"] = ["bob", "carol"] },
            Visibility = Visibility.Restricted,
            SeverityChanges = [new SeverityChange(Opened.AddMinutes(3), Severity.Warning, Severity.Critical, Priority.P1, "customers affected", "alice")],
            InternalUpdates = new UpdateRecord(Opened.AddMinutes(5), Opened.AddMinutes(35)),
            Participants = ["alice", "bob"],
        };

        row.SetResponse(response);
        var read = row.ResponseValue;

        Assert.Contains("\"mitigated\":", row.Response, StringComparison.Ordinal);
        Assert.Equal(Stage.Mitigated, read.Stage);
        Assert.Equal(Opened.AddMinutes(9), read.StageEnteredAt[Stage.Mitigated]);
        Assert.Equal("alice", read.Commander);
        Assert.Equal(["bob", "carol"], read.Roles["scribe"]);
        Assert.Equal(Visibility.Restricted, read.Visibility);
        Assert.Equal(response.SeverityChanges, read.SeverityChanges);
        Assert.Equal(response.InternalUpdates, read.InternalUpdates);
        Assert.Equal(UpdateRecord.None, read.StakeholderUpdates);
        Assert.Equal(["alice", "bob"], read.Participants);
    }

    [Fact]
    public void TheApiShowsTheStageNextToThePagingStatus()
    {
        var row = new IncidentEntity { PartitionKey = "INC-1", OpenedAt = Opened, Severity = "Critical", Labels = "{}", Links = "[]" };
        row.SetResponse(IncidentResponse.ForAlert(Opened) with { Stage = Stage.Identified });

        var json = JsonSerializer.SerializeToElement(row.ToIncident(), JsonDefaults.Options);

        Assert.Equal("open", json.GetProperty("status").GetString());
        Assert.Equal("identified", json.GetProperty("stage").GetString());
        Assert.Equal("identified", json.GetProperty("response").GetProperty("stage").GetString());
    }

    [Fact]
    public void AddingAParticipantTwiceKeepsOne()
    {
        var once = new IncidentResponse().WithParticipant("alice");

        Assert.Same(once, once.WithParticipant("alice"));
        Assert.Equal(["alice"], once.Participants);
    }

    [Theory]
    [InlineData("W/\"datetime'2026-12-04T08%3A00%3A00Z'\"", true)]
    [InlineData("\"datetime'2026-12-04T08%3A00%3A00Z'\"", true)]
    [InlineData("*", true)]
    [InlineData("\"other\", W/\"datetime'2026-12-04T08%3A00%3A00Z'\"", true)]
    [InlineData("W/\"datetime'2026-12-04T08%3A00%3A01Z'\"", false)]
    [InlineData("", false)]
    public void IfMatchComparesTheIncidentsETagWeakOrStrong(string ifMatch, bool matches) =>
        Assert.Equal(matches, IfMatch.Matches(ifMatch, new ETag("W/\"datetime'2026-12-04T08%3A00%3A00Z'\"")));
}

public sealed class QuietChangeTests
{
    static TimelineEvent Event(string type) => new("r1-1", DateTimeOffset.UnixEpoch, type, "alice", Channels.Api, "x");

    [Theory]
    [InlineData(TimelineEventTypes.NoteAdded, true)]
    [InlineData(TimelineEventTypes.EventPinned, true)]
    [InlineData(TimelineEventTypes.DecisionRecorded, true)]
    [InlineData(TimelineEventTypes.UpdatePosted, false)]
    [InlineData(TimelineEventTypes.RoleAssigned, false)]
    [InlineData(TimelineEventTypes.TaskCreated, false)]
    [InlineData(TimelineEventTypes.IncidentCategorized, false)]
    [InlineData("some.type-added-later", false)]
    public void OnlyARecordOnlyChangeLeavesTheCoordinationAsleep(string type, bool quiet) =>
        Assert.Equal(quiet, IncidentFunctions.Responding.IncidentEditor.IsQuiet([Event(type)], []));

    [Fact]
    public void AnEditThatHandsOverARoleChangesTheReminders()
    {
        var before = new IncidentResponse { Roles = new Dictionary<string, IReadOnlyList<string>> { ["commander"] = ["alice"] } };
        var after = before with { Roles = new Dictionary<string, IReadOnlyList<string>> { ["commander"] = ["bob"] } };

        Assert.True(IncidentFunctions.Responding.IncidentEditor.ChangesReminders(before, "P1", after, "P1"));
        Assert.True(IncidentFunctions.Responding.IncidentEditor.ChangesReminders(before, "P1", before, "P2"));
        Assert.False(IncidentFunctions.Responding.IncidentEditor.ChangesReminders(before, "P1", before with { Summary = "new words", Pinned = ["r1-1"] }, "P1"));
    }

    [Fact]
    public void ANoteThatIsALifecycleEventWakesIt() =>
        Assert.False(IncidentFunctions.Responding.IncidentEditor.IsQuiet(
            [Event(TimelineEventTypes.NoteAdded)],
            [new IncidentFunctions.Responding.IncidentTransitionRef("r1-1", IncidentFunctions.LifecycleEvents.LifecycleEventKind.StageChanged, DateTimeOffset.UnixEpoch, "alice", Channels.Api)]));
}
