using System.Text.Json;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Responding;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit.Responding;

/// <summary>The decisions behind tasks, notes, updates, decisions, evidence names, pins, playbooks and update recipients.</summary>
public sealed class WorkAndRecordTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    static readonly IncidentPolicy Policy = PolicyParser.Parse(
        """
        {
          "people": [
            { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "Europe/London" },
            { "id": "bob", "name": "Bob", "email": "bob@example.com", "timeZone": "Europe/London" },
            { "id": "carol", "name": "Carol", "email": "carol@example.com", "timeZone": "Europe/London" },
            { "id": "dana", "name": "Dana", "email": "dana@example.com", "timeZone": "Europe/London" }
          ],
          "teams": [ { "id": "platform", "name": "Platform", "members": ["alice", "bob"] } ],
          "escalationPolicies": [ { "id": "default", "levels": [ { "targets": [ { "person": "alice" } ], "delayMinutes": 1 } ] } ],
          "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" } ],
          "defaultService": "checkout",
          "categories": [
            { "id": "outage", "name": "Outage", "playbook": [
                { "title": "First stakeholder update", "assignee": { "role": "communications" }, "priority": "high", "dueMinutes": 15, "required": true },
                { "title": "Check deploys", "assignee": { "person": "alice" } } ] },
            { "id": "security", "name": "Security", "visibility": "restricted", "playbook": [ { "title": "Preserve evidence", "priority": "urgent" } ] }
          ],
          "stakeholders": [ { "services": ["checkout"], "priorities": ["P1"], "targets": [ { "person": "carol" }, { "email": "leadership@example.com" } ] } ]
        }
        """,
        "work-and-record-tests");

    static IncidentTask Task(IncidentTaskStatus status = IncidentTaskStatus.Open, bool required = false) =>
        new("task-1", "Roll back", null, TaskAssignee.ToPerson("alice"), TaskPriority.High, Now.AddMinutes(30), status, null, required, null, null, Now, "alice", Now);

    static ChangeTaskRequest Asking(IncidentTaskStatus? status = null, string? reason = null, string? title = null, TaskAssignee? assignee = null, TaskPriority? priority = null) =>
        new(status, reason, title, assignee, null, priority);

    static readonly IReadOnlySet<string> NothingCleared = new HashSet<string>();

    [Fact]
    public void AFinishedTaskMovedOutOfOrderIsAConflictNamingStatus()
    {
        var refused = TaskChanges.Change(Task(IncidentTaskStatus.Done), Asking(IncidentTaskStatus.InProgress), NothingCleared, Now).Refused!;

        Assert.Equal("status", refused.Field);
        Assert.True(refused.Conflict);
        Assert.Contains("allowed next: open", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotDoingATaskNeedsAReasonAndRecordsIt()
    {
        Assert.Equal("reason", TaskChanges.Change(Task(), Asking(IncidentTaskStatus.NotDoing), NothingCleared, Now).Refused!.Field);

        var change = TaskChanges.Change(Task(), Asking(IncidentTaskStatus.NotDoing, " covered by the rollback "), NothingCleared, Now).Accepted!;

        Assert.Equal((IncidentTaskStatus.NotDoing, "covered by the rollback"), (change.Task.Status, change.Task.Reason));
        Assert.Equal(TimelineEventTypes.TaskChanged, change.Note!.Type);
        Assert.Equal("not-doing", change.Note.Data!["status"]);
        Assert.Equal("open", change.Note.Data["from"]);
    }

    [Fact]
    public void ARequiredTaskCannotBeCancelled() =>
        Assert.True(TaskChanges.Change(Task(required: true), Asking(IncidentTaskStatus.Cancelled), NothingCleared, Now).Refused!.Conflict);

    [Fact]
    public void AChangeToWhatTheTaskAlreadyIsRecordsNothing()
    {
        var change = TaskChanges.Change(Task(), Asking(IncidentTaskStatus.Open, title: "Roll back", priority: TaskPriority.High), NothingCleared, Now).Accepted!;

        Assert.Null(change.Note);
        Assert.Equal(Task(), change.Task);
    }

    [Fact]
    public void ReassigningAndClearingTheDueTimeSaySoOnTheTimeline()
    {
        var change = TaskChanges.Change(Task(), Asking(assignee: TaskAssignee.ToRole("scribe")), new HashSet<string> { "dueAt" }, Now.AddMinutes(5)).Accepted!;

        Assert.Equal((TaskAssignee.ToRole("scribe"), (DateTimeOffset?)null, Now.AddMinutes(5)), (change.Task.Assignee, change.Task.DueAt, change.Task.UpdatedAt));
        Assert.Equal("role:scribe", change.Note!.Data!["assignee"]);
        Assert.Equal(string.Empty, change.Note.Data["dueAt"]);
    }

    [Fact]
    public void AReasonWithoutAStatusIsRefused() =>
        Assert.Equal("reason", TaskChanges.Change(Task(), Asking(reason: "why"), NothingCleared, Now).Refused!.Field);

    [Fact]
    public void ATaskIdFollowsTheIdempotencyKeyPerCallerAndIncident()
    {
        Assert.Equal(TaskChanges.NewId("INC-1", "oid:a", "k1"), TaskChanges.NewId("INC-1", "oid:a", "k1"));
        Assert.NotEqual(TaskChanges.NewId("INC-1", "oid:a", "k1"), TaskChanges.NewId("INC-1", "oid:b", "k1"));
        Assert.NotEqual(TaskChanges.NewId("INC-1", "oid:a", "k1"), TaskChanges.NewId("INC-2", "oid:a", "k1"));
        Assert.NotEqual(TaskChanges.NewId("INC-1", "oid:a", null), TaskChanges.NewId("INC-1", "oid:a", null));
        Assert.DoesNotContain("playbook", TaskChanges.NewId("INC-1", "oid:a", "k1"), StringComparison.Ordinal);
    }

    static (T? Value, IReadOnlyList<FieldError> Errors) Read<T>(string json, Func<JsonElement, FieldReader, T?> read)
    {
        using var document = JsonDocument.Parse(json);
        var fields = new FieldReader();
        var value = read(document.RootElement, fields);
        return (value, fields.Errors);
    }

    static (CreateTaskRequest? Value, IReadOnlyList<FieldError> Errors) CreateTask(string json) =>
        Read(json, (o, f) => RecordRequests.CreateTask(o, f, Policy.Response, Policy.People));

    [Theory]
    [InlineData("""{ "title": "t", "priority": "high", "assignee": { "person": "zed" } }""", "assignee.person")]
    [InlineData("""{ "title": "t", "priority": "high", "assignee": { "role": "janitor" } }""", "assignee.role")]
    [InlineData("""{ "title": "t", "priority": "high", "assignee": { "person": "alice", "role": "scribe" } }""", "assignee")]
    [InlineData("""{ "title": "t", "priority": "high", "assignee": { } }""", "assignee")]
    [InlineData("""{ "title": "t", "priority": "high", "link": "javascript:alert(1)" }""", "link")]
    [InlineData("""{ "title": "t", "priority": "soon" }""", "priority")]
    [InlineData("""{ "priority": "high" }""", "title")]
    [InlineData("""{ "title": "t", "priority": "high", "owner": "alice" }""", "owner")]
    public void ABadTaskIsRefusedNamingTheField(string json, string field)
    {
        Assert.Equal([field], CreateTask(json).Errors.Select(e => e.Field));
    }

    [Fact]
    public void ATaskForAKnownPersonOrRoleIsRead()
    {
        Assert.Equal(TaskAssignee.ToPerson("bob"), CreateTask("""{ "title": "t", "priority": "low", "assignee": { "person": "bob" } }""").Value!.Assignee);
        Assert.Equal(TaskAssignee.ToRole("communications"), CreateTask("""{ "title": "t", "priority": "low", "assignee": { "role": "communications" } }""").Value!.Assignee);
    }

    [Fact]
    public void ANoteLongerThanTheLimitOrFromTheFutureIsRefused()
    {
        var tooLong = JsonSerializer.Serialize(new { body = new string('x', TextLimits.MaxRecordText + 1) });
        Assert.Equal(["body"], Read(tooLong, (o, f) => RecordRequests.Note(o, f, Now)).Errors.Select(e => e.Field));
        Assert.Equal(["occurredAt"], Read("""{ "body": "b", "occurredAt": "2026-11-27T10:00:00Z" }""", (o, f) => RecordRequests.Note(o, f, Now)).Errors.Select(e => e.Field));
        Assert.Equal(Now.AddHours(-1), Read("""{ "body": "b", "occurredAt": "2026-11-27T08:00:00Z" }""", (o, f) => RecordRequests.Note(o, f, Now)).Value!.OccurredAt);
    }

    [Fact]
    public void TextThatJsonEscapesIsRefusedBeforeItOutgrowsItsTableProperty()
    {
        Assert.Null(RecordRequests.TooLargeToStore(new Dictionary<string, string> { ["body"] = new string('x', TextLimits.MaxRecordText) }, "body"));

        var refused = RecordRequests.TooLargeToStore(new Dictionary<string, string> { ["body"] = new string('<', TextLimits.MaxRecordText) }, "body");

        Assert.Equal(["body"], refused!.Errors!.Keys);
    }

    [Fact]
    public void ADecisionBySomeoneThePolicyDoesNotKnowIsRefused() =>
        Assert.Equal(["decidedBy"], Read("""{ "decision": "roll back", "decidedBy": "zed" }""", (o, f) => RecordRequests.Decision(o, f, Policy.People)).Errors.Select(e => e.Field));

    [Fact]
    public void ADecisionKeepsItsOptionsRationaleAndWhoDecided()
    {
        var request = Read("""{ "decision": "Roll back", "rationale": "fastest", "options": ["roll back", "fix forward"], "decidedBy": "bob" }""", (o, f) => RecordRequests.Decision(o, f, Policy.People)).Value!;

        var note = IncidentRecord.DecisionNote(request, request.DecidedBy!);

        Assert.Equal(TimelineEventTypes.DecisionRecorded, note.Type);
        Assert.Equal(
            new Dictionary<string, string> { ["decision"] = "Roll back", ["decidedBy"] = "bob", ["rationale"] = "fastest", ["options.0"] = "roll back", ["options.1"] = "fix forward" },
            note.Data);
    }

    [Fact]
    public void AStakeholderUpdateSetsItsRecordWithTheWritersNextTime()
    {
        var update = new UpdateRequest(UpdateAudience.Stakeholders, "We rolled back.", Now.AddMinutes(45));

        var change = IncidentRecord.PostUpdate(IncidentResponse.ForAlert(Now.AddHours(-1)), update, Now);

        Assert.Equal(new UpdateRecord(Now, Now.AddMinutes(45)), change.Response.StakeholderUpdates);
        Assert.Equal(UpdateRecord.None, change.Response.InternalUpdates);
        Assert.Equal(("stakeholders", "We rolled back."), (change.Notes[0].Data!["audience"], change.Notes[0].Data!["body"]));
    }

    [Fact]
    public void ANextUpdateTimeInThePastIsRefused() =>
        Assert.Equal(["nextUpdateAt"], Read("""{ "audience": "internal", "body": "b", "nextUpdateAt": "2026-11-27T08:00:00Z" }""", (o, f) => RecordRequests.Update(o, f, Now)).Errors.Select(e => e.Field));

    [Fact]
    public void PinningIsOncePerEventAndUnpinningTakesItOff()
    {
        var response = IncidentResponse.ForAlert(Now);
        var pinned = IncidentRecord.Pin(response, "r1-1", pin: true).Accepted!;
        Assert.Equal(["r1-1"], pinned.Response.Pinned);
        Assert.Equal(TimelineEventTypes.EventPinned, pinned.Notes[0].Type);

        Assert.Empty(IncidentRecord.Pin(pinned.Response, "r1-1", pin: true).Accepted!.Notes);

        var unpinned = IncidentRecord.Pin(pinned.Response, "r1-1", pin: false).Accepted!;
        Assert.Empty(unpinned.Response.Pinned);
        Assert.Equal(TimelineEventTypes.EventUnpinned, unpinned.Notes[0].Type);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\x\\report.pdf", "report.pdf")]
    [InlineData("a\"b\r\n.html", "a_b__.html")]
    [InlineData("<img src=x onerror=alert(1)>.svg", "_img src_x onerror_alert_1__.svg")]
    [InlineData("....", "evidence")]
    [InlineData(".bashrc", "bashrc")]
    [InlineData("", "evidence")]
    [InlineData("relevé de logs.txt", "relev_ de logs.txt")]
    public void AHostileFileNameIsMadeSafe(string sent, string safe) => Assert.Equal(safe, IncidentEvidence.SafeFileName(sent));

    [Fact]
    public void AFileNameIsCutToTheLimit() => Assert.Equal(IncidentEvidence.MaxFileName, IncidentEvidence.SafeFileName(new string('a', 500) + ".txt").Length);

    [Fact]
    public void APlaybookIsRecordedOnceWithItsTasks()
    {
        var planned = IncidentFunctions.Coordination.Playbooks.Apply(Policy.Response, "outage", [], Now).Accepted!;
        var first = PlaybookDelivery.Applied(IncidentResponse.ForAlert(Now), Policy.Response, "outage", planned.Tasks, planned.Tasks.Count, Now).Accepted!;

        Assert.Equal(["outage"], first.Response.PlaybooksApplied);
        Assert.Equal(TimelineEventTypes.PlaybookApplied, first.Notes[0].Type);
        Assert.Equal("playbook-outage-1,playbook-outage-2", first.Notes[0].Data!["tasks"]);
        Assert.False(first.Notes[0].Data!.ContainsKey("addedTo"));

        Assert.Empty(PlaybookDelivery.Applied(first.Response, Policy.Response, "outage", planned.Tasks, planned.Tasks.Count, Now).Accepted!.Notes);
    }

    [Fact]
    public void ALaterCategorysPlaybookSaysItAddsToTheEarlierOne()
    {
        var response = IncidentResponse.ForAlert(Now) with { PlaybooksApplied = ["outage"] };
        var planned = IncidentFunctions.Coordination.Playbooks.Apply(Policy.Response, "security", response.PlaybooksApplied, Now).Accepted!;

        var change = PlaybookDelivery.Applied(response, Policy.Response, "security", planned.Tasks, planned.Tasks.Count, Now).Accepted!;

        Assert.Equal(["outage", "security"], change.Response.PlaybooksApplied);
        Assert.Equal("outage", change.Notes[0].Data!["addedTo"]);
        Assert.Contains("added to those of the earlier playbook of outage", change.Notes[0].Summary, StringComparison.Ordinal);
    }

    static IncidentEntity Incident(IncidentResponse response) => new()
    {
        PartitionKey = "INC-1",
        Title = "Checkout down",
        Severity = nameof(Severity.Critical),
        OpenedAt = Now,
        Priority = nameof(Priority.P1),
        ServiceId = "checkout",
        Response = JsonSerializer.Serialize(response, JsonDefaults.Options),
    };

    [Fact]
    public void AStakeholderUpdateReachesThePolicysStakeholdersAndSubscribersOnce()
    {
        var incident = Incident(IncidentResponse.ForAlert(Now) with { Participants = ["alice"], Subscribers = ["dana", "carol"] });

        var recipients = StatusUpdateDelivery.RecipientsOf(incident, Policy, stakeholders: true);

        Assert.Equal(["carol@example.com", "leadership@example.com", "dana@example.com"], recipients.Select(r => r.Email));
    }

    [Fact]
    public void ARestrictedIncidentsStakeholderUpdateReachesOnlyPeopleWhoMaySeeIt()
    {
        var incident = Incident(IncidentResponse.ForAlert(Now) with
        {
            Visibility = Visibility.Restricted,
            Participants = ["alice"],
            Grants = ["dana"],
            Subscribers = ["dana", "bob"],
        });

        var recipients = StatusUpdateDelivery.RecipientsOf(incident, Policy, stakeholders: true);

        // carol is a stakeholder but not involved, leadership@ is a bare address, bob subscribed before it was restricted.
        Assert.Equal(["dana@example.com"], recipients.Select(r => r.Email));
    }

    [Fact]
    public void AnInternalUpdateReachesTheParticipantsThePolicyKnows()
    {
        var incident = Incident(IncidentResponse.ForAlert(Now) with { Participants = ["alice", "oid:someone-else", "bob"], Subscribers = ["carol"] });

        Assert.Equal(["alice", "bob"], StatusUpdateDelivery.RecipientsOf(incident, Policy, stakeholders: false).Select(r => r.PersonId));
    }
}
