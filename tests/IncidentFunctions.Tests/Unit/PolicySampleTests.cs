using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Tests.Unit;

/// <summary>The sample policy is the one for the dev host: it must stay valid and page for the README's demo alert.</summary>
public sealed class PolicySampleTests
{
    // The copy next to the build output, which is the one the app reads: this also checks the project copies it.
    static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "Policy", "sample-policy.json");

    static IncidentPolicy Sample => PolicyParser.Parse(File.ReadAllBytes(SamplePath), SamplePath);

    [Fact]
    public void TheSamplePolicyIsValid() =>
        Assert.Matches("^2026-11-26\\.1\\+[0-9a-f]{12}$", Sample.Version);

    [Fact]
    public void TheReadmeAlertPagesOnePersonThenTheWholeTeamAMinuteApart()
    {
        var result = Sample.Triage(new TriageInput("demo", new Dictionary<string, string> { ["service"] = "checkout" }, Severity.Critical, DateTimeOffset.UtcNow));

        Assert.Equal(("checkout", Priority.P1, "routes[0]"), (result.ServiceId, result.Priority, result.Route));
        var plan = result.Escalation;
        Assert.Equal(["alice"], plan.Levels[0].Recipients.Select(r => r.PersonId));
        Assert.Equal(["alice", "bob", "carol"], plan.Levels[1].Recipients.Select(r => r.PersonId));
        Assert.All(plan.Levels, level => Assert.Equal(1, level.DelayMinutes));
        Assert.Equal((1, 30.0, true, 50), (plan.Repeat, plan.AckTimeoutMinutes, plan.AutoResolve, plan.MaxNotifications));
        Assert.Equal(3, plan.Team.Select(r => r.TimeZone).Distinct().Count());
    }

    [Fact]
    public void TheSampleKeepsSecurityAndDataBreachesRestrictedAndSendsP1UpdatesToLeadership()
    {
        var response = Sample.Response;

        Assert.Equal(
            ["data-breach", "security"],
            response.Categories.Where(c => c.Visibility == Visibility.Restricted).Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Contains(response.Category("outage")!.Playbook, step => step.Required && step.Assignee == TaskAssignee.ToRole(ResponsePolicy.Communications));
        Assert.Equal(["commander", "communications", "ops-lead", "scribe"], response.Roles.Select(r => r.Id));
        Assert.Contains("leadership@example.com", response.StakeholdersFor("back-office", Priority.P1).Select(s => s.Email));
        Assert.Empty(response.StakeholdersFor("back-office", Priority.P2));
    }
}
