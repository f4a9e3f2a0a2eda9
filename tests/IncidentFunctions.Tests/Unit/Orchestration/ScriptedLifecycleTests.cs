using IncidentFunctions.DevHost.Functions;

namespace IncidentFunctions.Tests.Unit.Orchestration;

public sealed class ScriptedLifecycleTests
{
    /// <summary>An activity the orchestrator calls and the kit does not script would fail the orchestration tests obscurely.</summary>
    [Fact]
    public void TheKitScriptsEveryActivityTheAppDeclares()
    {
        var declared = new FunctionCatalog(typeof(IncidentServices).Assembly).OfKind(TriggerKind.Activity).Select(f => f.Name);

        Assert.Equal(declared.Order(StringComparer.Ordinal), ScriptedLifecycle.ScriptedActivities.Order(StringComparer.Ordinal));
    }
}
