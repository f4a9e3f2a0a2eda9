using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using static IncidentFunctions.Tests.Unit.Coordination.TestResponse;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class PlaybookTests
{
    static readonly DateTimeOffset SetAt = Opened.AddMinutes(2);

    [Fact]
    public void SettingACategoryCreatesItsPlaybooksTasksDueFromWhenItWasSet()
    {
        var application = Playbooks.Apply(Response, "outage", [], SetAt).Accepted!;

        Assert.False(application.AlreadyApplied);
        Assert.Equal(["outage"], application.PlaybooksApplied);
        Assert.Equal(
            [
                new TaskDraft("playbook-outage-1", "First stakeholder update", null, TaskAssignee.ToRole("communications"), TaskPriority.High, SetAt.AddMinutes(15), true, null, "outage"),
                new TaskDraft("playbook-outage-2", "Check deploys", null, TaskAssignee.ToPerson("alice"), TaskPriority.Medium, null, false, "https://deploys.example.com", "outage"),
            ],
            application.Tasks);
    }

    [Fact]
    public void SettingTheSameCategoryAgainAddsNothing()
    {
        var application = Playbooks.Apply(Response, "outage", ["outage"], SetAt.AddHours(1)).Accepted!;

        Assert.True(application.AlreadyApplied);
        Assert.Empty(application.Tasks);
        Assert.Equal(["outage"], application.PlaybooksApplied);
    }

    [Fact]
    public void ChangingTheCategoryAddsTheNewPlaybooksTasksAndKeepsTheOldOnesApplied()
    {
        var application = Playbooks.Apply(Response, "security", ["outage"], SetAt.AddHours(1)).Accepted!;

        Assert.Equal(["playbook-security-1"], application.Tasks.Select(t => t.Id));
        Assert.Equal(["outage", "security"], application.PlaybooksApplied);
    }

    [Fact]
    public void ARetriedApplyNamesTheSameTasks() =>
        Assert.Equal(
            Playbooks.Apply(Response, "outage", [], SetAt).Accepted!.Tasks.Select(t => t.Id),
            Playbooks.Apply(Response, "outage", [], SetAt.AddSeconds(30)).Accepted!.Tasks.Select(t => t.Id));

    [Fact]
    public void AnUnknownCategoryIsRefusedNamingTheKnownOnes()
    {
        var refused = Playbooks.Apply(Response, "hr", [], SetAt).Refused!;

        Assert.Equal(("category", "unknown category 'hr'; expected one of outage, security"), (refused.Field, refused.Message));
    }
}
