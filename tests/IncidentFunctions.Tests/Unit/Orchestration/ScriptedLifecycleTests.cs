using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.Responding;

namespace IncidentFunctions.Tests.Unit.Orchestration;

public sealed class ScriptedLifecycleTests
{
    /// <summary>
    /// An activity the orchestrator calls and the kit does not script would fail the orchestration tests obscurely. The
    /// coordination orchestration's own activities are not the paging orchestration's: it runs on the real ones
    /// (Integration/CoordinationTests). The one the paging orchestration borrows from it (reminding the level it pages of
    /// unfilled roles) is scripted.
    /// </summary>
    [Fact]
    public void TheKitScriptsEveryActivityThePagingOrchestrationMayCall()
    {
        string[] coordination = [nameof(CoordinationActivities.DeliverChange), nameof(CoordinationActivities.Remind)];
        var declared = new FunctionCatalog(typeof(IncidentServices).Assembly).OfKind(TriggerKind.Activity).Select(f => f.Name).Except(coordination);

        Assert.Equal(declared.Order(StringComparer.Ordinal), ScriptedLifecycle.ScriptedActivities.Order(StringComparer.Ordinal));
    }
}
