using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Incidents;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Responding;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit.Responding;

/// <summary>The decisions of the people on an incident: roles, responders, grants, subscriptions and merging.</summary>
public sealed class PeopleDecisionTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    static readonly IncidentPolicy Policy = PolicyParser.Parse(
        """
        {
          "people": [
            { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "UTC" },
            { "id": "bob", "name": "Bob", "email": "bob@example.com", "timeZone": "UTC" },
            { "id": "carol", "name": "Carol", "email": "carol@example.com", "timeZone": "UTC" },
            { "id": "dan", "name": "Dan", "email": "dan@example.com", "timeZone": "UTC" }
          ],
          "teams": [
            { "id": "platform", "name": "Platform", "members": ["alice", "bob"] },
            { "id": "db", "name": "Databases", "members": ["carol", "bob"] }
          ],
          "escalationPolicies": [ { "id": "db-oncall", "levels": [
            { "targets": [ { "team": "db" }, { "person": "carol" } ], "delayMinutes": 5 },
            { "targets": [ { "person": "dan" } ], "delayMinutes": 5 } ] } ],
          "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "db-oncall" } ],
          "defaultService": "checkout",
          "incidentRoles": [
            { "id": "commander", "name": "Incident commander", "instructions": "Lead.", "required": true },
            { "id": "scribe", "name": "Scribe", "multiple": true }
          ]
        }
        """,
        "people-tests");

    static IncidentResponse Commanded(string commander) =>
        IncidentResponse.ForAlert(Now.AddHours(-1)) with { Roles = new Dictionary<string, IReadOnlyList<string>> { ["commander"] = [commander] } };

    [Fact]
    public void HandingTheCommanderRoleOnIsOneChangeFromTheOldHolderToTheNewWhoTakesPart()
    {
        var change = RoleAssignments.DecideAssign(Policy, Commanded("alice"), new AssignRoleRequest("commander", "bob", "shift change"), "Alice", Now).Accepted!;

        Assert.Equal(["bob"], change.Response.Roles["commander"]);
        Assert.Contains("bob", change.Response.Participants);
        var note = Assert.Single(change.Notes);
        Assert.Equal((TimelineEventTypes.RoleAssigned, LifecycleEventKind.RoleAssigned), (note.Type, note.Publish));
        Assert.Equal(
            new Dictionary<string, string> { ["role"] = "commander", ["from"] = "alice", ["to"] = "bob", ["note"] = "shift change" },
            note.Data);
    }

    [Fact]
    public void AssigningARoleToItsHolderChangesNothing() =>
        Assert.Empty(RoleAssignments.DecideAssign(Policy, Commanded("alice"), new AssignRoleRequest("commander", "alice"), "Alice", Now).Accepted!.Notes);

    [Theory]
    [InlineData("legal", "bob", "role")]
    [InlineData("scribe", "zoe", "person")]
    public void AnUnknownRoleOrPersonIsRefusedNamingItsField(string role, string person, string field)
    {
        var refused = RoleRules(role, person);

        Assert.Equal(field, refused.Field);
        Assert.False(refused.Conflict);
    }

    [Fact]
    public void NoRoleChangesOnAMergedIncident() =>
        Assert.True(RoleAssignments.DecideAssign(Policy, Commanded("alice") with { Stage = Stage.Merged }, new AssignRoleRequest("scribe", "bob"), "Alice", Now).Refused!.Conflict);

    [Fact]
    public void TheCommanderCannotBeReleasedButAScribeCan()
    {
        var response = Commanded("alice") with { Roles = new Dictionary<string, IReadOnlyList<string>> { ["commander"] = ["alice"], ["scribe"] = ["bob", "carol"] } };

        Assert.True(RoleAssignments.DecideRelease(Policy, response, "commander", "alice", "Alice", Now).Refused!.Conflict);
        var released = RoleAssignments.DecideRelease(Policy, response, "scribe", "bob", "Alice", Now).Accepted!;
        Assert.Equal(["carol"], released.Response.Roles["scribe"]);
        Assert.Equal(TimelineEventTypes.RoleReleased, Assert.Single(released.Notes).Type);
    }

    [Fact]
    public void RespondersResolveToPeopleTeamMembersAndTheFirstLevelOfAnEscalationPolicyEachOnce()
    {
        var people = ResponderPaging.Resolve(Policy.People, new AddRespondersRequest(["carol"], ["platform"], ["db-oncall"])).Accepted!.People;

        Assert.Equal(["carol", "alice", "bob"], people.Select(p => p.PersonId));
    }

    [Theory]
    [InlineData("people[1]")]
    [InlineData("teams[0]")]
    [InlineData("escalationPolicies[0]")]
    public void AnUnknownResponderIsRefusedNamingTheFieldAndIndex(string field)
    {
        var request = field switch
        {
            "people[1]" => new AddRespondersRequest(["alice", "zoe"], [], []),
            "teams[0]" => new AddRespondersRequest([], ["nobody"], []),
            _ => new AddRespondersRequest([], [], ["nothing"]),
        };

        Assert.Equal(field, ResponderPaging.Resolve(Policy.People, request).Refused!.Field);
    }

    [Fact]
    public void AddedRespondersBecomeParticipantsAndTheEventNamesThemWithTheMessage()
    {
        var incident = new IncidentEntity { PartitionKey = "INC-1", Status = nameof(IncidentStatus.Open), OpenedAt = Now };

        var change = ResponderPaging.Decide(Policy.People, incident, new AddRespondersRequest([], ["platform"], [], "join the bridge")).Accepted!;

        Assert.Equal(["alice", "bob"], change.Response.Participants);
        var note = Assert.Single(change.Notes);
        Assert.Equal(("alice,bob", "join the bridge"), (note.Data![ResponderPaging.PeopleData], note.Data[ResponderPaging.MessageData]));
    }

    [Fact]
    public void NobodyIsPagedIntoAResolvedIncident()
    {
        var incident = new IncidentEntity { PartitionKey = "INC-1", Status = nameof(IncidentStatus.Resolved), OpenedAt = Now };

        var refused = ResponderPaging.Decide(Policy.People, incident, new AddRespondersRequest(["alice"], [], [])).Refused!;

        Assert.Equal(("status", true), (refused.Field, refused.Conflict));
    }

    [Theory]
    [InlineData("{}", "people")]
    [InlineData("""{"people":[], "teams":[]}""", "people")]
    [InlineData("""{"people":["alice", 3]}""", "people[1]")]
    [InlineData("""{"people":["alice"], "pager":true}""", "pager")]
    public void AResponderRequestThatNamesNobodyOrSomethingElseIsRefusedByField(string json, string field)
    {
        var fields = new FieldReader();

        Assert.Null(AddRespondersRequest.Read(JsonDocument.Parse(json).RootElement, fields));
        Assert.Contains(fields.Errors, e => e.Field == field);
    }

    [Fact]
    public void GrantingAnUnknownPersonIsRefusedAndGrantingTwiceOrRevokingNothingChangesNothing()
    {
        var response = IncidentResponse.ForAlert(Now);

        Assert.Equal("person", AccessGrants.DecideGrant(Policy.People, response, "zoe").Refused!.Field);
        var granted = AccessGrants.DecideGrant(Policy.People, response, "dan").Accepted!;
        Assert.Equal(["dan"], granted.Response.Grants);
        Assert.Empty(AccessGrants.DecideGrant(Policy.People, granted.Response, "dan").Accepted!.Notes);
        Assert.Empty(AccessGrants.DecideRevoke(Policy.People, response, "dan").Accepted!.Notes);
        Assert.Empty(AccessGrants.DecideRevoke(Policy.People, granted.Response, "dan").Accepted!.Response.Grants);
    }

    [Fact]
    public void AGrantLetsAResponderSeeARestrictedIncidentTheyDoNotTakePartIn()
    {
        var dan = new Caller("dan@example.com", "aad", "dan@example.com", null, new HashSet<AppRole> { AppRole.Responder }, "dan");
        var restricted = IncidentResponse.ForAlert(Now) with { Visibility = Visibility.Restricted };

        Assert.False(IncidentAccess.CanSee(dan, IncidentAccessFacts.Of(restricted)));
        Assert.True(IncidentAccess.CanSee(dan, IncidentAccessFacts.Of(AccessGrants.DecideGrant(Policy.People, restricted, "dan").Accepted!.Response)));
    }

    [Fact]
    public void SubscribingNeedsAPolicyPersonAndDoesNotMakeTheSubscriberAParticipant()
    {
        var stranger = new Caller("x@elsewhere.example", "aad", null, null, new HashSet<AppRole> { AppRole.Viewer }, null);
        var viewer = stranger with { PersonId = "dan" };
        var response = IncidentResponse.ForAlert(Now);

        Assert.Equal("person", Subscriptions.Decide(stranger, response, subscribe: true).Refused!.Field);
        var subscribed = Subscriptions.Decide(viewer, response, subscribe: true).Accepted!;
        Assert.Equal(["dan"], subscribed.Response.Subscribers);
        Assert.False(subscribed.CallerTakesPart);
        Assert.Empty(Subscriptions.Decide(viewer, subscribed.Response, subscribe: true).Accepted!.Notes);
        Assert.Empty(Subscriptions.Decide(viewer, subscribed.Response, subscribe: false).Accepted!.Response.Subscribers);
    }

    [Fact]
    public void MergingMovesTheDuplicateToMergedWithALinkAndPublishesIt()
    {
        var change = IncidentMerger.DecideSource(IncidentResponse.ForAlert(Now.AddHours(-1)), "INC-2", "same outage", Now).Accepted!;

        Assert.Equal((Stage.Merged, "INC-2"), (change.Response.Stage, change.Response.MergedInto));
        Assert.Equal(Now, change.Response.StageEnteredAt[Stage.Merged]);
        var note = Assert.Single(change.Notes);
        Assert.Equal((TimelineEventTypes.IncidentMerged, LifecycleEventKind.Merged, "triage"), (note.Type, note.Publish, note.Data!["from"]));
    }

    [Fact]
    public void MergingAgainIntoTheSameIncidentChangesNothingAndAResolvedOneIsAConflict()
    {
        var merged = IncidentResponse.ForAlert(Now) with { Stage = Stage.Merged, MergedInto = "INC-2" };

        Assert.Empty(IncidentMerger.DecideSource(merged, "INC-2", null, Now).Accepted!.Notes);
        Assert.True(IncidentMerger.DecideSource(merged, "INC-3", null, Now).Refused!.Conflict);
        Assert.True(IncidentMerger.DecideSource(IncidentResponse.ForAlert(Now) with { Stage = Stage.Resolved }, "INC-2", null, Now).Refused!.Conflict);
    }

    [Theory]
    [InlineData(Stage.Merged)]
    [InlineData(Stage.Closed)]
    [InlineData(Stage.Declined)]
    public void AnIncidentThatIsOverTakesNoDuplicates(Stage stage)
    {
        var refused = IncidentMerger.CheckTarget(IncidentResponse.ForAlert(Now) with { Stage = stage, MergedInto = stage == Stage.Merged ? "INC-9" : null }, "INC-1")!;

        Assert.Equal(("into", true), (refused.Field, refused.Conflict));
    }

    [Fact]
    public void TheTargetListsEachDuplicateOnce()
    {
        var once = IncidentMerger.DecideTarget(IncidentResponse.ForAlert(Now), "INC-1", null).Accepted!;

        Assert.Equal(["INC-1"], once.Response.MergedFrom);
        Assert.Equal(TimelineEventTypes.DuplicateMerged, Assert.Single(once.Notes).Type);
        Assert.Empty(IncidentMerger.DecideTarget(once.Response, "INC-1", null).Accepted!.Notes);
    }

    static IncidentFunctions.Coordination.Refusal RoleRules(string role, string person) =>
        RoleAssignments.DecideAssign(Policy, Commanded("alice"), new AssignRoleRequest(role, person), "Alice", Now).Refused!;
}
