using IncidentFunctions.Coordination;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class TaskRulesTests
{
    static readonly DateTimeOffset Due = TestResponse.Opened.AddMinutes(15);
    static readonly TimeSpan Every = TimeSpan.FromMinutes(10);

    [Fact]
    public void NotDoingNeedsAReason()
    {
        Assert.Equal(("reason", "not-doing needs a reason"), TaskRules.Change(IncidentTaskStatus.Open, IncidentTaskStatus.NotDoing, false, " ").Refused is { } r ? (r.Field, r.Message) : default);
        Assert.Equal("status page is down too", TaskRules.Change(IncidentTaskStatus.Open, IncidentTaskStatus.NotDoing, true, "status page is down too").Accepted!.Reason);
    }

    [Fact]
    public void ARequiredTaskCannotBeCancelled()
    {
        var refused = TaskRules.Change(IncidentTaskStatus.InProgress, IncidentTaskStatus.Cancelled, required: true, "not needed").Refused!;

        Assert.Equal(("status", "a required task cannot be cancelled; mark it not-doing with a reason, or done"), (refused.Field, refused.Message));
    }

    [Fact]
    public void AnOptionalTaskMayBeCancelled() =>
        Assert.True(TaskRules.Change(IncidentTaskStatus.Open, IncidentTaskStatus.Cancelled, required: false, null).Accepted!.Changed);

    [Theory]
    [InlineData(IncidentTaskStatus.Done)]
    [InlineData(IncidentTaskStatus.NotDoing)]
    [InlineData(IncidentTaskStatus.Cancelled)]
    public void AFinishedTaskCanOnlyBeReopened(IncidentTaskStatus finished)
    {
        Assert.Equal(
            $"cannot move a task from {(finished == IncidentTaskStatus.NotDoing ? "not-doing" : finished.ToString().ToLowerInvariant())} to in-progress; allowed next: open",
            TaskRules.Change(finished, IncidentTaskStatus.InProgress, false, null).Refused!.Message);
        Assert.Equal(IncidentTaskStatus.Open, TaskRules.Change(finished, IncidentTaskStatus.Open, false, null).Accepted!.To);
    }

    [Fact]
    public void OpenAndInProgressMoveFreelyBetweenEachOther()
    {
        Assert.True(TaskRules.Change(IncidentTaskStatus.Open, IncidentTaskStatus.InProgress, false, null).Accepted!.Changed);
        Assert.True(TaskRules.Change(IncidentTaskStatus.InProgress, IncidentTaskStatus.Open, false, null).Accepted!.Changed);
    }

    [Theory]
    [InlineData(IncidentTaskStatus.Open, 1, true)]
    [InlineData(IncidentTaskStatus.InProgress, 1, true)]
    [InlineData(IncidentTaskStatus.Open, 0, false)]
    [InlineData(IncidentTaskStatus.Done, 1, false)]
    [InlineData(IncidentTaskStatus.NotDoing, 1, false)]
    [InlineData(IncidentTaskStatus.Cancelled, 1, false)]
    public void ATaskIsOverdueWhenItsDueTimeHasPassedAndItIsUnfinished(IncidentTaskStatus status, int secondsAfterDue, bool overdue) =>
        Assert.Equal(overdue, TaskRules.IsOverdue(Due, status, Due.AddSeconds(secondsAfterDue)));

    [Fact]
    public void ATaskWithoutADueTimeIsNeverOverdue() =>
        Assert.False(TaskRules.IsOverdue(null, IncidentTaskStatus.Open, DateTimeOffset.MaxValue));

    [Fact]
    public void TheFirstReminderIsAtTheDueTimeThenEveryInterval()
    {
        Assert.Equal(Due, TaskRules.NextReminder(Due, IncidentTaskStatus.Open, true, Every, Due.AddMinutes(-5)));
        Assert.Equal(Due.AddMinutes(10), TaskRules.NextReminder(Due, IncidentTaskStatus.Open, true, Every, Due));
        Assert.Equal(Due.AddMinutes(30), TaskRules.NextReminder(Due, IncidentTaskStatus.InProgress, true, Every, Due.AddMinutes(25)));
    }

    [Fact]
    public void AFinishedTaskOrAnIncidentNoLongerActiveRemindsNoMore()
    {
        Assert.Null(TaskRules.NextReminder(Due, IncidentTaskStatus.Done, true, Every, Due));
        Assert.Null(TaskRules.NextReminder(Due, IncidentTaskStatus.Open, false, Every, Due));
        Assert.Null(TaskRules.NextReminder(null, IncidentTaskStatus.Open, true, Every, Due));
    }
}
