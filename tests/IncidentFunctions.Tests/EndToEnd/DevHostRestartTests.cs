using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
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
        Incident resolved;
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

    [Fact]
    public async Task AnEscalationTimerSurvivesARestartAndPagesTheNextLevelOnceOnTime()
    {
        var key = TestAlerts.NewKey("restart-escalation");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Escalates across a restart"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        await using (var before = fixture.DurableClient())
        {
            // Restart while the orchestration waits on level 1's timer (not mid-activity: see the test above).
            await Eventually.Get(
                () => before.GetInstanceAsync(incident.Id, getInputsAndOutputs: true),
                i => i?.SerializedCustomStatus?.Contains(Lifecycle.LifecyclePhases.Triggered, StringComparison.Ordinal) == true,
                "the orchestration waiting on the level 1 timer");
        }

        await Eventually.Get(() => fixture.EmailsAsync(incident.Id)!, e => e!.Count >= 1, "the level 1 page");
        await fixture.RestartAsync();

        var team = TestPolicy.People.Select(fixture.Policy.Email).ToList();
        var emails = await Eventually.Get(
            () => fixture.EmailsAsync(incident.Id)!,
            e => e!.Count(x => x.Header(NotificationHeaders.Level) == "2") >= team.Count,
            "the level 2 pages after the restart",
            TimeSpan.FromSeconds(DevHostFixture.LevelDelaySeconds + 120));

        var escalated = (await fixture.TimelineAsync(incident.Id)).Single(e => e.Type == TimelineEventTypes.IncidentEscalated);
        var lateness = escalated.At - DateTimeOffset.Parse(escalated.Data!["dueAt"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(lateness >= TimeSpan.Zero, $"level 2 was paged {-lateness.TotalSeconds:0.0}s early");
        // Generous on purpose (the benchmark measures lateness): a timer lost and re-created on restart would be a
        // whole level delay late, and a lost one would never fire.
        Assert.True(lateness < TimeSpan.FromSeconds(DevHostFixture.LevelDelaySeconds), $"level 2 was paged {lateness.TotalSeconds:0.0}s late");

        using var resolve = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/resolve"));
        resolve.EnsureSuccessStatusCode();
        await using var after = fixture.DurableClient();
        await Eventually.Get(() => after.GetInstanceAsync(incident.Id), i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed, "the orchestration to complete");
        var final = await fixture.EmailsAsync(incident.Id);
        Assert.All(team, address => Assert.Single(final, e => e.Header(NotificationHeaders.Level) == "2" && e.IsTo(address)));
    }
}
