using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>Durable state lives in storage: a restarted dev host carries on with the orchestrations it left.</summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostRestartTests(DevHostFixture fixture)
{
    [Fact]
    public async Task AnIncidentOpenedBeforeARestartIsResolvedAfterIt()
    {
        var key = TestAlerts.NewKey("restart");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "survives a restart"))).EnsureSuccessStatusCode();
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        await using (var before = fixture.DurableClient())
        {
            await Eventually.Get(
                () => before.GetInstanceAsync(open.Id),
                i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Running,
                "the orchestration waiting for resolution");
        }

        await fixture.RestartAsync();

        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "survives a restart", status: "resolved"))).EnsureSuccessStatusCode();
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(key, "resolved"), "the incident resolved after the restart");
        Assert.Equal(open.Id, resolved.Id);
        await using var after = fixture.DurableClient();
        var instance = await after.GetInstanceAsync(open.Id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance!.RuntimeStatus);
    }
}
