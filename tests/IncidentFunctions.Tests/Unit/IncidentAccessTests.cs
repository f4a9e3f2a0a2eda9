using IncidentFunctions.Access;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit;

/// <summary>The access decision, for every app role on standard and restricted incidents, and an incident's own commander.</summary>
public sealed class IncidentAccessTests
{
    internal static Caller As(string? person, params AppRole[] roles) =>
        new(person ?? "someone", "aad", person is null ? null : $"{person}@example.com", null, roles.ToHashSet(), person);

    internal static IncidentAccessFacts Restricted(string[]? participants = null, string[]? grants = null, string? commander = null) =>
        new(Visibility.Restricted, (participants ?? []).ToHashSet(), (grants ?? []).ToHashSet(), commander);

    static IncidentAccessFacts Standard(string? commander = null) => IncidentAccessFacts.Standard with { Commander = commander };

    [Theory]
    // role, permission, decision on a standard incident
    [InlineData(AppRole.Viewer, Permission.Read, AccessDecision.Allowed)]
    [InlineData(AppRole.Viewer, Permission.Respond, AccessDecision.Forbidden)]
    [InlineData(AppRole.Viewer, Permission.Command, AccessDecision.Forbidden)]
    [InlineData(AppRole.Responder, Permission.Respond, AccessDecision.Allowed)]
    [InlineData(AppRole.Responder, Permission.Command, AccessDecision.Forbidden)]
    [InlineData(AppRole.Commander, Permission.Command, AccessDecision.Allowed)]
    [InlineData(AppRole.Commander, Permission.Administer, AccessDecision.Forbidden)]
    [InlineData(AppRole.Admin, Permission.Administer, AccessDecision.Allowed)]
    public void HigherRolesIncludeLowerOnes(AppRole role, Permission permission, AccessDecision expected)
    {
        Assert.Equal(expected, IncidentAccess.Decide(As("dana", role), permission, Standard()));
    }

    [Fact]
    public void ACallerWithoutARoleMayDoNothing()
    {
        var nobody = As("dana");

        Assert.All(Enum.GetValues<Permission>(), p => Assert.False(nobody.Holds(p)));
        Assert.False(IncidentAccess.CanSee(nobody, Standard()));
    }

    [Theory]
    [InlineData(AppRole.Viewer)]
    [InlineData(AppRole.Responder)]
    [InlineData(AppRole.Commander)]
    public void ARestrictedIncidentIsHiddenFromEveryoneNotInvolvedButAdmins(AppRole role)
    {
        var incident = Restricted(participants: ["alice"], grants: ["bob"], commander: "carol");
        var outsider = As("dana", role);

        Assert.False(IncidentAccess.CanSee(outsider, incident));
        Assert.All(Enum.GetValues<Permission>(), p => Assert.Equal(AccessDecision.Hidden, IncidentAccess.Decide(outsider, p, incident)));
        Assert.Equal(AccessDecision.Allowed, IncidentAccess.Decide(As("dana", AppRole.Admin), Permission.Command, incident));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("bob")]
    [InlineData("carol")]
    public void ParticipantsGranteesAndTheCommanderSeeARestrictedIncident(string person)
    {
        var incident = Restricted(participants: ["alice"], grants: ["bob"], commander: "carol");

        Assert.Equal(AccessDecision.Allowed, IncidentAccess.Decide(As(person, AppRole.Responder), Permission.Respond, incident));
        // Seeing it is not more: a viewer who was granted access still may not act.
        Assert.Equal(AccessDecision.Forbidden, IncidentAccess.Decide(As(person, AppRole.Viewer), Permission.Respond, incident));
    }

    [Fact]
    public void ACallerNotInThePolicyIsNoParticipantOfAnything()
    {
        var incident = Restricted(participants: ["someone"]);

        Assert.Equal(AccessDecision.Hidden, IncidentAccess.Decide(As(null, AppRole.Responder), Permission.Read, incident));
    }

    [Fact]
    public void AnIncidentsOwnCommanderMayCommandItWithTheResponderRole()
    {
        Assert.Equal(AccessDecision.Allowed, IncidentAccess.Decide(As("carol", AppRole.Responder), Permission.Command, Standard(commander: "carol")));
        Assert.Equal(AccessDecision.Forbidden, IncidentAccess.Decide(As("carol", AppRole.Responder), Permission.Command, Standard(commander: "alice")));
        Assert.Equal(AccessDecision.Forbidden, IncidentAccess.Decide(As("carol", AppRole.Responder), Permission.Administer, Standard(commander: "carol")));
        // The elevation is for responders: a viewer who holds the role still only reads.
        Assert.Equal(AccessDecision.Forbidden, IncidentAccess.Decide(As("carol", AppRole.Viewer), Permission.Command, Standard(commander: "carol")));
    }

    [Fact]
    public void AForbiddenRefusalNamesThePermissionAndTheRolesThatHoldIt()
    {
        var problem = IncidentAccess.Refusal(AccessDecision.Forbidden, As("dana", AppRole.Viewer), Permission.Respond, "INC-1")!;

        Assert.Equal(403, problem.Status);
        Assert.Equal("urn:incidentfunctions:problem:forbidden", problem.Type);
        Assert.Contains("'respond'", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("responder, commander, admin", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("viewer", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(["permission"], problem.Errors!.Keys);
    }

    [Fact]
    public void AHiddenIncidentIsRefusedAsNotFound()
    {
        var problem = IncidentAccess.Refusal(AccessDecision.Hidden, As("dana", AppRole.Responder), Permission.Read, "INC-1")!;

        Assert.Equal((404, "urn:incidentfunctions:problem:not-found"), (problem.Status, problem.Type));
        Assert.Null(IncidentAccess.Refusal(AccessDecision.Allowed, As("dana", AppRole.Responder), Permission.Read, "INC-1"));
    }

    [Theory]
    [InlineData("viewer", AppRole.Viewer)]
    [InlineData("Responder", AppRole.Responder)]
    [InlineData(" COMMANDER ", AppRole.Commander)]
    [InlineData("admin", AppRole.Admin)]
    [InlineData("Administrator", null)]
    [InlineData("1", null)]
    [InlineData("", null)]
    public void RoleClaimValuesAreTheRoleNamesInAnyCase(string value, AppRole? expected)
    {
        Assert.Equal(expected, AppRoles.Parse(value));
    }

    [Fact]
    public void ThePeopleARestrictedIncidentsEscalationPagesMayOpenItAndNobodyElseOnItsTeam()
    {
        var incident = new IncidentFunctions.Incidents.IncidentEntity
        {
            PartitionKey = "INC-1",
            Triage = """{"escalation":{"levels":[{"recipients":[{"personId":"alice"}]},{"recipients":[{"personId":"bob"}]}],"team":[{"personId":"carol"}]}}""",
        };
        incident.SetResponse(IncidentResponse.ForAlert(DateTimeOffset.UnixEpoch) with { Visibility = Visibility.Restricted, Participants = ["dana"] });

        var facts = IncidentAccessFacts.Of(incident);

        Assert.All(new[] { "alice", "bob", "carol", "dana" }, p => Assert.True(IncidentAccess.CanSee(As(p, AppRole.Responder), facts), p));
        Assert.False(IncidentAccess.CanSee(As("erin", AppRole.Responder), facts));
    }

    [Fact]
    public void AStandardIncidentsParticipantsAreOnlyThePeopleWhoTookPart()
    {
        var incident = new IncidentFunctions.Incidents.IncidentEntity
        {
            PartitionKey = "INC-2",
            Triage = """{"escalation":{"levels":[{"recipients":[{"personId":"alice"}]}],"team":[]}}""",
        };
        incident.SetResponse(IncidentResponse.ForAlert(DateTimeOffset.UnixEpoch) with { Participants = ["dana"] });

        Assert.Equal(["dana"], incident.AccessParticipants(incident.ResponseValue));
    }
}
