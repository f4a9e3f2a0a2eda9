using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class DeclarationTests
{
    static readonly DateTimeOffset At = TestResponse.Opened;

    static DeclarationInput Input(string? category = null, Visibility? visibility = null, string? commander = "alice", DateTimeOffset? impact = null, bool paged = true) =>
        new(category, visibility, commander, "dana", "Checkout is failing", impact, paged);

    static IncidentResponse Started(DeclarationInput input)
    {
        var decision = Declarations.Start(TestResponse.Response, input, At);
        Assert.Null(decision.Refused);
        return decision.Accepted!;
    }

    [Fact]
    public void ADeclaredIncidentWithoutACategoryStartsInvestigatingVisibleToEveryoneDetectedNowAndLedByItsCommander()
    {
        var response = Started(Input());

        Assert.Equal(Stage.Investigating, response.Stage);
        Assert.Equal(At, response.StageEnteredAt[Stage.Investigating]);
        Assert.Equal(Visibility.Standard, response.Visibility);
        Assert.Equal(new Dictionary<Milestone, DateTimeOffset> { [Milestone.Detected] = At }, response.Milestones);
        Assert.Equal("alice", response.Commander);
        Assert.Equal(["dana", "alice"], response.Participants);
        Assert.True(response.Declared);
        Assert.Equal("Checkout is failing", response.Summary);
        Assert.Null(response.Category);
    }

    [Fact]
    public void ACategoryGivesItsVisibilityAndTheDeclarersChoiceWinsOverIt()
    {
        Assert.Equal((Visibility.Restricted, "security"), (Started(Input("security")).Visibility, Started(Input("security")).Category));
        Assert.Equal(Visibility.Standard, Started(Input("security", Visibility.Standard)).Visibility);
    }

    [Fact]
    public void ACategoryStartsTheIncidentInItsInitialStage()
    {
        var policy = PolicyParser.Parse(
            """
            {
              "people": [ { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "Europe/London" } ],
              "teams": [ { "id": "platform", "name": "Platform", "members": ["alice"] } ],
              "escalationPolicies": [ { "id": "default", "levels": [ { "targets": [ { "person": "alice" } ], "delayMinutes": 1 } ] } ],
              "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" } ],
              "defaultService": "checkout",
              "categories": [ { "id": "noise", "name": "Possible noise", "initialStage": "triage" } ]
            }
            """,
            "declaration-tests").Response;

        Assert.Equal(Stage.Triage, Declarations.Start(policy, Input("noise"), At).Accepted!.Stage);
    }

    [Fact]
    public void AnUnknownCategoryIsRefusedNamingTheCategoriesThereAre()
    {
        var refused = Declarations.Start(TestResponse.Response, Input("outgae"), At).Refused!;

        Assert.Equal(("category", "unknown category 'outgae'; expected one of outage, security", false), (refused.Field, refused.Message, refused.Conflict));
    }

    [Fact]
    public void ImpactStartedIsKeptWhenItIsBeforeTheDeclarationAndRefusedAfterIt()
    {
        Assert.Equal(At.AddMinutes(-20), Started(Input(impact: At.AddMinutes(-20))).Milestones[Milestone.ImpactStarted]);
        Assert.Equal(Declarations.ImpactStartedField, Declarations.Start(TestResponse.Response, Input(impact: At.AddMinutes(1)), At).Refused!.Field);
    }

    [Fact]
    public void NotPagedItIsAcknowledgedAtTheDeclaration() =>
        Assert.Equal(At, Started(Input(paged: false)).Milestones[Milestone.Acknowledged]);

    [Fact]
    public void WithoutACommanderNobodyLeadsUntilSomeoneAcknowledges()
    {
        var response = Started(Input(commander: null));

        Assert.Null(response.Commander);
        Assert.Empty(response.Roles);
        Assert.Equal(["dana"], response.Participants);
    }
}
