using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Tests.Unit;

public sealed class PolicyTriageTests
{
    const string Json = """
        {
          "version": "2026-11-26.1",
          "people": [
            { "id": "alice", "name": "Alice Example", "email": "alice@example.com", "timeZone": "Europe/London" },
            { "id": "bob", "name": "Bob Example", "email": "bob@example.com", "timeZone": "America/New_York" },
            { "id": "carol", "name": "Carol Example", "email": "carol@example.com", "timeZone": "Asia/Tokyo" }
          ],
          "teams": [
            { "id": "platform", "name": "Platform", "members": ["alice", "bob", "carol"] },
            { "id": "payments", "name": "Payments", "members": ["carol", "alice"] }
          ],
          "escalationPolicies": [
            {
              "id": "loud",
              "levels": [
                { "targets": [ { "person": "alice" } ], "delayMinutes": 0.05 },
                { "targets": [ { "team": "platform" }, { "person": "bob" } ], "delayMinutes": 1 }
              ],
              "repeat": 2, "ackTimeoutMinutes": 30, "autoResolve": false, "maxNotifications": 7
            },
            { "id": "quiet", "levels": [ { "targets": [ { "team": "payments" } ], "delayMinutes": 5 } ] }
          ],
          "services": [
            { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "loud" },
            { "id": "payments", "name": "Payments", "team": "payments", "impactTier": 2, "escalationPolicy": "quiet" },
            { "id": "wiki", "name": "Wiki", "team": "platform", "impactTier": 3, "escalationPolicy": "quiet" }
          ],
          "routes": [
            { "match": { "integration": "grafana", "labels": { "service": "payments", "env": "prod" } }, "service": "payments" },
            { "match": { "severity": ["warning", "info"] }, "service": "wiki" },
            { "match": { "labels": { "service": "checkout" } }, "service": "checkout" },
            { "match": { "labels": { "service": "payments" } }, "service": "checkout" }
          ],
          "defaultService": "wiki"
        }
        """;

    static readonly IncidentPolicy Policy = PolicyParser.Parse(Json, "triage-tests");

    static readonly Recipient Alice = new("alice", "Alice Example", "alice@example.com", "Europe/London");
    static readonly Recipient Bob = new("bob", "Bob Example", "bob@example.com", "America/New_York");
    static readonly Recipient Carol = new("carol", "Carol Example", "carol@example.com", "Asia/Tokyo");

    static TriageResult Triage(Severity severity, string integration = "demo", params (string Name, string Value)[] labels) =>
        Policy.Triage(new TriageInput(integration, labels.ToDictionary(l => l.Name, l => l.Value), severity, Now));

    static readonly DateTimeOffset Now = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);

    const string Windows = """
        "maintenanceWindows": [
          { "id": "db-upgrade", "reason": "Postgres 17 upgrade", "start": "2026-11-27T01:00:00Z", "end": "2026-11-27T03:00:00Z",
            "match": { "labels": { "cluster": "db-eu" } } },
          { "id": "payments-freeze", "start": "2026-11-27T02:00:00+01:00", "end": "2026-11-27T04:00:00+01:00", "services": ["payments"] }
        ],
        "defaultService"
        """;

    static readonly IncidentPolicy WithWindows = PolicyParser.Parse(Json.Replace("\"defaultService\"", Windows, StringComparison.Ordinal), "maintenance");

    static TriageResult TriageAt(DateTimeOffset at, string integration, params (string Name, string Value)[] labels) =>
        WithWindows.Triage(new TriageInput(integration, labels.ToDictionary(l => l.Name, l => l.Value), Severity.Critical, at));

    [Fact]
    public void AnAlertMatchingAWindowWhileItIsOpenIsTriagedIntoIt()
    {
        var result = TriageAt(Now, "prometheus", ("cluster", "db-eu"), ("service", "checkout"));

        Assert.Equal(
            new MaintenanceWindow("db-upgrade", "Postgres 17 upgrade", new(2026, 11, 27, 1, 0, 0, TimeSpan.Zero), new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero)),
            result.Maintenance);
        Assert.Equal("checkout", result.ServiceId);
    }

    [Theory]
    [InlineData("2026-11-27T00:59:59Z")]
    [InlineData("2026-11-27T03:00:00Z")]
    public void AWindowAppliesFromItsStartUpToButNotIncludingItsEnd(string at)
    {
        Assert.Null(TriageAt(DateTimeOffset.Parse(at), "prometheus", ("cluster", "db-eu")).Maintenance);
    }

    [Fact]
    public void AnAlertThatDoesNotMatchTheWindowIsPagedAsUsual()
    {
        Assert.Null(TriageAt(Now, "prometheus", ("cluster", "db-us")).Maintenance);
    }

    [Fact]
    public void AWindowListingServicesAppliesOnlyToAlertsRoutedToThem()
    {
        // 01:30 UTC is inside payments-freeze (02:00-04:00 at +01:00), which lists only the payments service.
        var at = new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero);

        Assert.Equal("payments-freeze", TriageAt(at, "grafana", ("service", "payments"), ("env", "prod")).Maintenance?.Id);
        Assert.Null(TriageAt(at, "grafana", ("service", "checkout")).Maintenance);
    }

    [Fact]
    public void ADeclaredIncidentGoesToTheServiceItWasDeclaredForWhateverTheRoutesSay()
    {
        // Warning would route to wiki; the declarer named payments (impact tier 2).
        var result = Policy.Triage(new TriageInput("declared", new Dictionary<string, string>(), Severity.Warning, Now, Service: "payments"));

        Assert.Equal(("payments", IncidentPolicy.DeclaredRoute, 2, "quiet"), (result.ServiceId, result.Route, result.ImpactTier, result.Escalation.PolicyId));
        Assert.Equal(Priorities.Of(Severity.Warning, 2), result.Priority);
    }

    [Fact]
    public void ADeclaredIncidentIsNotHeldByAMaintenanceWindowOfItsService()
    {
        var at = new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero);

        Assert.Null(WithWindows.Triage(new TriageInput("declared", new Dictionary<string, string>(), Severity.Critical, at, Service: "payments")).Maintenance);
        Assert.True(WithWindows.HasService("payments"));
        Assert.False(WithWindows.HasService("nope"));
    }

    [Fact]
    public void TheFirstMatchingRouteWinsOverLaterOnesThatAlsoMatch()
    {
        var result = Triage(Severity.Critical, "grafana", ("service", "payments"), ("env", "prod"));

        Assert.Equal("routes[0]", result.Route);
        Assert.Equal("payments", result.ServiceId);
    }

    [Fact]
    public void TheIntegrationMatchesIgnoringCase() =>
        Assert.Equal("routes[0]", Triage(Severity.Critical, "Grafana", ("service", "payments"), ("env", "prod")).Route);

    [Fact]
    public void ARouteForAnotherIntegrationDoesNotMatch() =>
        Assert.Equal("routes[3]", Triage(Severity.Critical, "alertmanager", ("service", "payments"), ("env", "prod")).Route);

    [Theory]
    [InlineData("staging")]
    [InlineData("Prod")]
    public void EveryListedLabelMustBePresentWithExactlyThatValue(string env) =>
        Assert.Equal("routes[3]", Triage(Severity.Critical, "grafana", ("service", "payments"), ("env", env)).Route);

    [Fact]
    public void AMissingLabelMeansTheRouteDoesNotMatch() =>
        Assert.Equal("routes[3]", Triage(Severity.Critical, "grafana", ("service", "payments")).Route);

    [Theory]
    [InlineData(Severity.Warning, "routes[1]")]
    [InlineData(Severity.Info, "routes[1]")]
    [InlineData(Severity.High, "routes[2]")]
    [InlineData(Severity.Critical, "routes[2]")]
    public void ASeverityListLimitsARouteToThoseSeverities(Severity severity, string route) =>
        Assert.Equal(route, Triage(severity, "demo", ("service", "checkout")).Route);

    [Fact]
    public void WhenNoRouteMatchesTheDefaultServiceTakesTheAlert()
    {
        var result = Triage(Severity.Critical, "demo", ("service", "search"));

        Assert.Equal("default", result.Route);
        Assert.Equal("wiki", result.ServiceId);
        Assert.Equal(Priority.P3, result.Priority);
    }

    [Theory]
    [InlineData("""{ "match": {}, "service": "checkout" }""")]
    [InlineData("""{ "service": "checkout" }""")]
    public void AnEmptyOrAbsentMatchMatchesEverything(string route)
    {
        var policy = PolicyParser.Parse(Json.Replace("\"routes\": [", $"\"routes\": [ {route},", StringComparison.Ordinal), "catch-all");

        var result = policy.Triage(new TriageInput("anything", new Dictionary<string, string>(), Severity.Info, Now));

        Assert.Equal("routes[0]", result.Route);
        Assert.Equal("checkout", result.ServiceId);
    }

    [Fact]
    public void TriageDescribesTheServiceAndItsPriority()
    {
        var result = Triage(Severity.High, "demo", ("service", "checkout"));

        Assert.Equal(Policy.Version, result.PolicyVersion);
        Assert.Equal("checkout", result.ServiceId);
        Assert.Equal("Checkout", result.ServiceName);
        Assert.Equal("platform", result.TeamId);
        Assert.Equal(1, result.ImpactTier);
        Assert.Equal(Priority.P2, result.Priority);
    }

    [Fact]
    public void ATeamTargetExpandsToItsMembersInOrderAndAPersonAppearsOncePerLevel()
    {
        var plan = Triage(Severity.Critical, "demo", ("service", "checkout")).Escalation;

        Assert.Equal("loud", plan.PolicyId);
        Assert.Equal(2, plan.Levels.Count);
        Assert.Equal([Alice], plan.Levels[0].Recipients);
        Assert.Equal(0.05, plan.Levels[0].DelayMinutes);
        Assert.Equal([Alice, Bob, Carol], plan.Levels[1].Recipients);
        Assert.Equal(1, plan.Levels[1].DelayMinutes);
        Assert.Equal(2, plan.Repeat);
        Assert.Equal(30, plan.AckTimeoutMinutes);
        Assert.False(plan.AutoResolve);
        Assert.Equal(7, plan.MaxNotifications);
    }

    [Fact]
    public void ThePlanTellsTheOwningTeamOfTheServiceNotTheTeamsTheLevelsName()
    {
        var plan = Triage(Severity.Critical, "grafana", ("service", "payments"), ("env", "prod")).Escalation;

        Assert.Equal([Carol, Alice], plan.Team);
        Assert.Equal([Carol, Alice], plan.Levels[0].Recipients);
        Assert.Equal([Alice, Bob, Carol], Triage(Severity.Info).Escalation.Team);
    }

    [Fact]
    public void OmittedEscalationSettingsTakeTheirDefaults()
    {
        var plan = Triage(Severity.Critical, "grafana", ("service", "payments"), ("env", "prod")).Escalation;

        Assert.Equal(0, plan.Repeat);
        Assert.Null(plan.AckTimeoutMinutes);
        Assert.True(plan.AutoResolve);
        Assert.Equal(PolicyParser.DefaultMaxNotifications, plan.MaxNotifications);
    }

    [Fact]
    public void TheVersionIsTheDeclaredVersionPlusAContentHash() =>
        Assert.Matches("^2026-11-26\\.1\\+[0-9a-f]{12}$", Policy.Version);

    [Fact]
    public void AnEditWithoutBumpingTheDeclaredVersionStillChangesTheVersion()
    {
        var same = PolicyParser.Parse(Json, "again");
        var edited = PolicyParser.Parse(Json.Replace("\"maxNotifications\": 7", "\"maxNotifications\": 8", StringComparison.Ordinal), "edited");

        Assert.Equal(Policy.Version, same.Version);
        Assert.NotEqual(Policy.Version, edited.Version);
        Assert.StartsWith("2026-11-26.1+", edited.Version);
    }

    [Fact]
    public void APolicyWithoutADeclaredVersionIsUnversionedPlusItsHash() =>
        Assert.Matches(
            "^unversioned\\+[0-9a-f]{12}$",
            PolicyParser.Parse(Json.Replace("\"version\": \"2026-11-26.1\",", string.Empty, StringComparison.Ordinal), "no-version").Version);

    [Fact]
    public void TheCountsSayWhatThePolicyDeclares() =>
        Assert.Equal(new PolicyCounts(People: 3, Teams: 2, EscalationPolicies: 2, Services: 3, Routes: 4), Policy.Counts);
}
