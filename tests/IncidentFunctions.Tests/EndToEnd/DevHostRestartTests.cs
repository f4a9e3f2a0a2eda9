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
            // Restart only once the orchestration is parked on its event: a restart in the middle of an activity leaves
            // that activity's message invisible for the provider's visibility timeout (5 minutes), here as in Azure.
            await Eventually.Get(
                () => before.GetInstanceAsync(open.Id, getInputsAndOutputs: true),
                i => i?.SerializedCustomStatus?.Contains(Lifecycle.LifecyclePhases.Triggered, StringComparison.Ordinal) == true,
                "the orchestration waiting for resolution");
        }

        await fixture.RestartAsync();

        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "survives a restart", status: "resolved"))).EnsureSuccessStatusCode();
        Incidents.Incident resolved;
        try
        {
            // A host that could not release its task hub partition leases leaves them to expire (about 40 s) before the
            // new one takes over; the deadline allows for that, as Durable Functions in Azure would.
            resolved = await Eventually.Get(() => fixture.FindIncidentAsync(key, "resolved"), "the incident resolved after the restart", TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException e)
        {
            var output = fixture.Host.Output;
            var before = fixture.PreviousOutput;
            throw new TimeoutException(
                $"{e.Message}\nBefore the restart the host said, last:\n{before[Math.Max(0, before.Length - 4000)..]}\nThe restarted host said:\n{output[Math.Max(0, output.Length - 4000)..]}", e);
        }

        Assert.Equal(open.Id, resolved.Id);
        await using var after = fixture.DurableClient();
        await Eventually.Get(
            () => after.GetInstanceAsync(open.Id),
            i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            "the orchestration to complete after resolving");
    }
}
