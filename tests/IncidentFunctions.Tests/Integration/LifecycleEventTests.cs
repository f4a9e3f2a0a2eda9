using System.Text.Json;
using Azure.Messaging.ServiceBus;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// Lifecycle events from the real orchestration (Durable Task test host, Azurite, MailDev) into a recording Service
/// Bus sender: the one seam swapped, because no Service Bus broker can run here (see <see cref="RecordingServiceBusSender"/>).
/// The orchestration replays its history on every step, so these runs also show that replays publish nothing twice.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class LifecycleEventTests(PipelineFixture fixture)
{
    const int MaxAttempts = 3;

    static readonly Dictionary<string, string?> EventsOn = new()
    {
        ["IncidentEvents:Enabled"] = "true",
        ["IncidentEvents:FullyQualifiedNamespace"] = "incidents-test.servicebus.windows.net",
        ["IncidentEvents:MaxAttempts"] = MaxAttempts.ToString(),
        ["IncidentEvents:RetryInterval"] = "00:00:00.200",
    };

    static readonly string[] Transitions =
    [
        TimelineEventTypes.IncidentOpened, TimelineEventTypes.IncidentEscalated, TimelineEventTypes.IncidentAcknowledged,
        TimelineEventTypes.IncidentRetriggered, TimelineEventTypes.IncidentResolved,
    ];

    Task<LifecycleHost> StartAsync(TestPolicy policy, RecordingServiceBusSender sender, IReadOnlyDictionary<string, string?>? settings = null) =>
        LifecycleHost.StartAsync(fixture, policy, settings ?? EventsOn, services => services.AddSingleton<ServiceBusSender>(sender));

    [Fact]
    public async Task OpenAcknowledgeResolvePublishesEachTransitionOnceUnderItsTimelineEventId()
    {
        var sender = new RecordingServiceBusSender();
        await using var host = await StartAsync(new TestPolicy(), sender);
        var incident = await host.FireAsync(TestAlerts.NewKey());
        await host.PhaseAsync(incident.Id, LifecyclePhases.Triggered, level: 1);

        // The second acknowledgement changes nothing but wakes the orchestration again, which re-reads the same row.
        Assert.Equal(TransitionOutcome.Applied, (await host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None)).Outcome);
        Assert.Equal(TransitionOutcome.AlreadyDone, (await host.Responder.AcknowledgeAsync(incident.Id, "bob", Channels.EmailLink, host.Lifecycle, CancellationToken.None)).Outcome);
        await host.PhaseAsync(incident.Id, LifecyclePhases.Acknowledged);
        await host.Responder.ResolveAsync(incident.Id, "bob", Channels.Api, host.Lifecycle, CancellationToken.None);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await host.CompletedAsync(incident.Id)).RuntimeStatus);

        // The orchestration has ended: what the sender holds is everything this incident will ever publish.
        var events = await host.EventsAsync(incident.Id);
        Assert.Equal(
            [
                (events.Single(e => e.Type == TimelineEventTypes.IncidentOpened).Id, "io.incidentfunctions.incident.opened"),
                (events.Single(e => e.Type == TimelineEventTypes.IncidentAcknowledged).Id, "io.incidentfunctions.incident.acknowledged"),
                (events.Single(e => e.Type == TimelineEventTypes.IncidentResolved).Id, "io.incidentfunctions.incident.resolved"),
            ],
            sender.Sent.Select(m => (m.MessageId, m.Subject)));
        Assert.Equal(3, sender.Attempts);
        Assert.All(sender.Sent, m => Assert.Equal(incident.Id, m.CorrelationId));
        Assert.Equal(
            [("system", "open"), ("alice", "acknowledged"), ("bob", "resolved")],
            sender.Sent.Select(m => Data(m)).Select(d => (d.GetProperty("actor").GetString(), d.GetProperty("status").GetString())));
        Assert.DoesNotContain(events, e => e.Type == TimelineEventTypes.EventPublishFailed);
    }

    [Fact]
    public async Task EscalationsAReTriggerAndASourceResolvePublishInTheOrderTheyWereRecorded()
    {
        var sender = new RecordingServiceBusSender();
        var policy = new TestPolicy { Levels = [new(["person:alice"], 1), new(["person:bob"], 600)], AckTimeoutSeconds = 2 };
        await using var host = await StartAsync(policy, sender);
        var key = TestAlerts.NewKey();
        var incident = await host.FireAsync(key);
        await host.PhaseAsync(incident.Id, LifecyclePhases.Triggered, level: 2);

        await host.Responder.AcknowledgeAsync(incident.Id, "bob", Channels.EmailLink, host.Lifecycle, CancellationToken.None);

        // The acknowledgement goes stale: paging starts again at level 1 and escalates to level 2 once more.
        await Eventually.Get(
            async () => (await host.EventsAsync(incident.Id)).Count(e => e.Type == TimelineEventTypes.IncidentEscalated),
            count => count == 2,
            "the second escalation after the re-trigger");
        await host.FireAsync(key, AlertStatus.Resolved);
        await host.CompletedAsync(incident.Id);

        var recorded = (await host.EventsAsync(incident.Id)).Where(e => Transitions.Contains(e.Type)).ToList();
        Assert.Equal(
            [
                TimelineEventTypes.IncidentOpened, TimelineEventTypes.IncidentEscalated, TimelineEventTypes.IncidentAcknowledged,
                TimelineEventTypes.IncidentRetriggered, TimelineEventTypes.IncidentEscalated, TimelineEventTypes.IncidentResolved,
            ],
            recorded.Select(e => e.Type));
        Assert.Equal(recorded.Select(e => e.Id), sender.Sent.Select(m => m.MessageId));
        Assert.Equal(recorded.Select(e => "io.incidentfunctions." + e.Type), sender.Sent.Select(m => m.Subject));
        Assert.Equal([2, 2], sender.Sent.Where(m => m.Subject.EndsWith(".escalated", StringComparison.Ordinal)).Select(m => Data(m).GetProperty("level").GetInt32()));
        var resolved = Data(sender.Sent[^1]);
        Assert.Equal((host.Integration, Channels.Source), (resolved.GetProperty("actor").GetString(), resolved.GetProperty("channel").GetString()));
    }

    [Fact]
    public async Task ABrokerThatAlwaysFailsLeavesTheLifecycleCompletingAndRecordsEachLostEvent()
    {
        var sender = RecordingServiceBusSender.AlwaysBusy();
        await using var host = await StartAsync(new TestPolicy(), sender);
        var incident = await host.FireAsync(TestAlerts.NewKey());

        // Paging does not wait for the events: the first email goes out while they are still being retried.
        await Eventually.Get(() => host.EmailsAsync(incident.Id)!, e => e!.Count == 1, "the first page");
        await host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.PhaseAsync(incident.Id, LifecyclePhases.Acknowledged);
        await host.Responder.ResolveAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await host.CompletedAsync(incident.Id)).RuntimeStatus);
        Assert.Equal(2, (await host.EmailsAsync(incident.Id)).Count);
        var events = await host.EventsAsync(incident.Id);
        var failed = events.Where(e => e.Type == TimelineEventTypes.EventPublishFailed).ToList();
        Assert.Equal(
            events.Where(e => e.Type is TimelineEventTypes.IncidentOpened or TimelineEventTypes.IncidentAcknowledged or TimelineEventTypes.IncidentResolved).Select(e => e.Id),
            failed.Select(e => e.Data!["eventId"]));
        Assert.All(failed, e => Assert.Contains("busy", e.Summary, StringComparison.Ordinal));
        Assert.Equal(3 * MaxAttempts, sender.Attempts);
        Assert.Empty(sender.Sent);
    }

    [Fact]
    public async Task WithEventsOffNothingIsPublishedAndNothingAboutEventsIsRecorded()
    {
        var sender = new RecordingServiceBusSender();
        await using var host = await StartAsync(new TestPolicy(), sender, settings: new Dictionary<string, string?>());
        var incident = await host.FireAsync(TestAlerts.NewKey());
        await host.PhaseAsync(incident.Id, LifecyclePhases.Triggered, level: 1);

        await host.Responder.ResolveAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.CompletedAsync(incident.Id);

        Assert.Equal(0, sender.Attempts);
        Assert.DoesNotContain(await host.EventsAsync(incident.Id), e => e.Type == TimelineEventTypes.EventPublishFailed);
    }

    static JsonElement Data(ServiceBusMessage message) => JsonDocument.Parse(message.Body).RootElement.GetProperty("data");
}
