using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using static IncidentFunctions.Tests.Unit.Coordination.TestResponse;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class RoleRulesTests
{
    static readonly DateTimeOffset At = Opened.AddMinutes(5);

    [Fact]
    public void HandingOffAOneHolderRoleReplacesTheHolderInOneChange()
    {
        var handOff = RoleRules.Assign(Response, Holders(("communications", ["alice"])), "communications", "bob", "carol", "shift ends", At).Accepted!;

        Assert.Equal(["alice"], handOff.From);
        Assert.Equal(("bob", "carol", "shift ends", At), (handOff.To, handOff.By, handOff.Note, handOff.At));
        Assert.Equal(["bob"], handOff.Holders["communications"]);
    }

    [Fact]
    public void TheCommanderAlwaysHasOneHolder() =>
        Assert.Equal(["bob"], RoleRules.Assign(Response, Holders(("commander", ["alice"])), "commander", "bob", "alice", null, At).Accepted!.Holders["commander"]);

    [Fact]
    public void AssigningASeveralHolderRoleAddsTheHolder()
    {
        var handOff = RoleRules.Assign(Response, Holders(("scribe", ["alice"])), "scribe", "bob", "alice", null, At).Accepted!;

        Assert.Empty(handOff.From);
        Assert.Equal(["alice", "bob"], handOff.Holders["scribe"]);
    }

    [Fact]
    public void AssigningTheCurrentHolderChangesNothing() =>
        Assert.False(RoleRules.Assign(Response, Holders(("commander", ["alice"])), "commander", "alice", "alice", null, At).Accepted!.Changed);

    [Fact]
    public void AnUnknownRoleIsRefusedNamingThePolicysRoles() =>
        Assert.Equal(
            ("role", "unknown role 'legal'; expected one of commander, communications, ops-lead, scribe"),
            RoleRules.Assign(Response, Holders(), "legal", "bob", "alice", null, At).Refused is { } r ? (r.Field, r.Message) : default);

    [Fact]
    public void TheCommanderRoleIsNeverLeftEmpty()
    {
        var refused = RoleRules.Release(Response, Holders(("commander", ["alice"])), "commander", "alice", "alice", null, At).Refused!;
        Assert.Equal("role", refused.Field);
        Assert.True(refused.Conflict, "a well-formed request the incident's state refuses: 409, not 400");
    }

    [Fact]
    public void ReleasingOneOfSeveralHoldersKeepsTheOthers()
    {
        var handOff = RoleRules.Release(Response, Holders(("scribe", ["alice", "bob"])), "scribe", "alice", "alice", "going home", At).Accepted!;

        Assert.Equal(["alice"], handOff.From);
        Assert.Null(handOff.To);
        Assert.Equal(["bob"], handOff.Holders["scribe"]);
    }

    [Fact]
    public void ReleasingARoleThePersonDoesNotHoldIsRefused() =>
        Assert.Equal("person", RoleRules.Release(Response, Holders(("scribe", ["bob"])), "scribe", "alice", "alice", null, At).Refused!.Field);

    [Fact]
    public void TheFirstToAcknowledgeBecomesCommanderWhenThereIsNone()
    {
        var handOff = RoleRules.CommanderOnAcknowledge(Holders(("scribe", ["bob"])), "alice", At)!;

        Assert.Equal(("commander", "alice", "alice"), (handOff.Role, handOff.To, handOff.By));
        Assert.Equal(["alice"], handOff.Holders["commander"]);
        Assert.Equal(["bob"], handOff.Holders["scribe"]);
    }

    [Fact]
    public void AnAcknowledgementDoesNotReplaceTheCommander() =>
        Assert.Null(RoleRules.CommanderOnAcknowledge(Holders(("commander", ["bob"])), "alice", At));

    [Fact]
    public void UnfilledRequiredRolesAreListedInPolicyOrder() =>
        Assert.Equal(
            ["commander", "ops-lead"],
            RoleRules.UnfilledRequired(Response, Holders(("communications", ["bob"]), ("scribe", ["carol"]))).Select(r => r.Id));

    [Theory]
    [InlineData(Priority.P1, 10.0)]
    [InlineData(Priority.P3, 60.0)]
    [InlineData(Priority.P4, null)]
    public void RequiredRolesAreDueThePrioritysMinutesAfterOpening(Priority priority, double? minutes) =>
        Assert.Equal(minutes is { } m ? Opened.AddMinutes(m) : null, RoleRules.RequiredRolesDueAt(Response, priority, Opened));
}
