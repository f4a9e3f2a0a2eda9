using System.Net;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Responding;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// The coordination orchestration on the dev host's Durable Task Azure Storage provider, whose timers can fire up to a
/// second early. A second dev host beside the collection's (same Azurite and MailDev, a task hub of its own) runs a
/// policy whose required roles are due a second after opening and remind every two seconds.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostCoordinationTests(DevHostFixture fixture)
{
    const double EverySeconds = 2;

    [Fact]
    public async Task AcknowledgingStartsTheRemindersOfUnfilledRolesWhichComeOncePerSlotAndNeverEarly()
    {
        var policy = new TestPolicy
        {
            Response = new Dictionary<string, object>
            {
                ["communication"] = new Dictionary<string, object> { ["P1"] = new { requiredRolesWithinMinutes = 1.0 / 60 } },
                ["taskReminderMinutes"] = EverySeconds / 60,
            },
        };
        await using var beside = await BesideHost.StartAsync(fixture, "Coordination", settings => settings["Policy__Json"] = policy.Json);
        var (http, durable) = (beside.Http, beside.Durable);
        var key = TestAlerts.NewKey("coordination");
        (await http.SendAsync(AlertRequest(key))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), $"the incident for {key}");
        await Eventually.Get(() => fixture.EmailsAsync(incident.Id)!, e => e!.Count >= 1, "alice's page");

        // Paging alone starts no coordination: it costs an unacknowledged incident nothing.
        Assert.Null(await durable.GetInstanceAsync(DurableCoordination.InstanceIdOf(incident.Id)));

        using (var acknowledge = await http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/acknowledge")))
        {
            Assert.Equal(HttpStatusCode.OK, acknowledge.StatusCode);
        }

        var reminders = await Eventually.Get(
            async () => (await fixture.EmailsAsync(incident.Id)).Where(e => e.Header(NotificationHeaders.Kind) == "reminder").ToList(),
            e => e!.Count >= 3,
            "three reminders");
        Assert.All(reminders, e => Assert.True(e.IsTo(policy.Email("alice"))));
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await durable.GetInstanceAsync(DurableCoordination.InstanceIdOf(incident.Id)))?.RuntimeStatus);

        var sent = (await fixture.TimelineAsync(incident.Id)).Where(e => e.Type == TimelineEventTypes.ReminderSent).ToList();
        var slots = sent.Select(e => DateTimeOffset.Parse(e.Data!["dueAt"])).ToList();
        Assert.Equal(slots.Distinct().Order(), slots);
        Assert.All(sent, e => Assert.True(e.At >= DateTimeOffset.Parse(e.Data!["dueAt"]), $"reminded at {e.At:O}, due {e.Data!["dueAt"]}"));
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.Equal(0, (pair.Second - pair.First).Ticks % TimeSpan.FromSeconds(EverySeconds).Ticks));
    }

    static HttpRequestMessage AlertRequest(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"alerts/{DevHostFixture.Integration}")
        {
            Content = new StringContent(DevHostPipelineTests.Alert(key, "Checkout errors"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DevHostFixture.Secret);
        return request;
    }
}
