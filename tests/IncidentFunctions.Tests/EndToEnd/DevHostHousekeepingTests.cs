using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// History housekeeping on the dev host's timer trigger. The test starts a second dev host beside the collection's, on
/// the same Azurite and MailDev but on a task hub of its own, with housekeeping every second and nothing kept: the
/// schedule comes from an app setting, as it does in Azure, and no other test's orchestration is purged.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostHousekeepingTests(DevHostFixture fixture)
{
    [Fact]
    public async Task AResolvedIncidentsHistoryIsPurgedARunningOnesIsKeptAndTheApiStillAnswersForThePurgedOne()
    {
        await using var beside = await BesideHost.StartAsync(fixture, "Housekeeping", settings =>
        {
            settings["Housekeeping__Schedule"] = "*/1 * * * * *";
            settings["Housekeeping__KeepFinishedFor"] = "00:00:00";
            // A fresh host's first pages can run a few seconds late while it warms up, which would postpone housekeeping
            // for five minutes: the postponement has its own tests.
            settings["Housekeeping__PostponeAfterLatePage"] = "00:00:00";
        });
        var (host, http, durable) = (beside.Host, beside.Http, beside.Durable);
        var running = await OpenAsync(http, durable, "housekeeping-running");
        var resolved = await OpenAsync(http, durable, "housekeeping-resolved");

        using (var resolve = await http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{resolved}/resolve")))
        {
            Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        }

        try
        {
            await Eventually.Get(() => durable.GetInstanceAsync(resolved), i => i is null, "the resolved incident's orchestration purged", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            var output = host.Output;
            throw new TimeoutException($"{e.Message}\nThe host said, last:\n{output[Math.Max(0, output.Length - 4000)..]}", e);
        }

        await Eventually.Get(
            () => Task.FromResult<string?>(host.Output), o => o!.Contains("purged the Durable history of 1 orchestration(s)", StringComparison.Ordinal), "the purge logged");
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await durable.GetInstanceAsync(running))?.RuntimeStatus);

        // The incident row and its timeline are the record: every route still answers for the purged incident.
        using (var get = await http.SendAsync(DevHostFixture.Responder(HttpMethod.Get, $"incidents/{resolved}")))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(IncidentStatus.Resolved, (await get.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!.Status);
        }

        var timeline = await fixture.TimelineAsync(resolved);
        Assert.Contains(timeline, e => e.Type == TimelineEventTypes.IncidentResolved);
        Assert.Contains(timeline, e => e.Type == TimelineEventTypes.NotificationSent && e.Data!["kind"] == "resolved");

        // Acting again signals an orchestration that no longer exists: harmless, and the answer says who acted first.
        using (var again = await http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{resolved}/resolve")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal("alreadyDone", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        }

        using (var acknowledge = await http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{resolved}/acknowledge")))
        {
            Assert.Equal(HttpStatusCode.Conflict, acknowledge.StatusCode);
        }

        Assert.Null(await durable.GetInstanceAsync(resolved));
        Assert.DoesNotContain("Function PurgeFinishedHistory failed", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Function PurgeExpiredRequests failed", host.Output, StringComparison.Ordinal);
    }

    /// <summary>Opens an incident through the host's alert route; returns its id once its orchestration runs.</summary>
    async Task<string> OpenAsync(HttpClient http, DurableTaskClient durable, string name)
    {
        var key = TestAlerts.NewKey(name);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"alerts/{DevHostFixture.Integration}")
        {
            Content = new StringContent(DevHostPipelineTests.Alert(key, name), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevHostFixture.Secret);
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), $"the incident for {key}");
        await Eventually.Get(() => durable.GetInstanceAsync(incident.Id), i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Running, $"{incident.Id}'s orchestration running");
        return incident.Id;
    }
}
