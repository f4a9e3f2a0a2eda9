using System.Text.Json;
using Azure.Messaging;
using Azure.Messaging.ServiceBus;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The Service Bus publisher against a recording <see cref="ServiceBusSender"/>: no broker can run here (see
/// <see cref="RecordingServiceBusSender"/>), so these tests check what is handed to the SDK and what a subscriber
/// would receive from it.
/// </summary>
public sealed class ServiceBusLifecycleEventPublisherTests
{
    static readonly LifecycleEventBuilder Events = new(LinkTestKit.Signer(TimeProvider.System));

    static LifecycleEvent Acknowledged() => Events.Create(LifecycleEventTests.Acknowledged(), LifecycleEventTests.Incident());

    static async Task<ServiceBusReceivedMessage> PublishOneAsync(LifecycleEvent incidentEvent)
    {
        var sender = new RecordingServiceBusSender();
        await new ServiceBusLifecycleEventPublisher(sender, NullLogger<ServiceBusLifecycleEventPublisher>.Instance).PublishAsync(incidentEvent, CancellationToken.None);
        return RecordingServiceBusSender.Received(Assert.Single(sender.Sent));
    }

    [Fact]
    public async Task TheMessageIdIsTheEventIdSoTheTopicCanDropARetriedSend()
    {
        var incidentEvent = Acknowledged();

        var received = await PublishOneAsync(incidentEvent);

        Assert.Equal(LifecycleEventTests.Acknowledged().EventId, received.MessageId);
        Assert.Equal(incidentEvent.Id, received.MessageId);
        Assert.Equal("application/cloudevents+json", received.ContentType);
        Assert.Equal("io.incidentfunctions.incident.acknowledged", received.Subject);
        Assert.Equal(LinkTestKit.IncidentId, received.CorrelationId);
        Assert.Equal(LinkTestKit.IncidentId, received.PartitionKey);
    }

    [Fact]
    public async Task ApplicationPropertiesCarryWhatSubscriptionsFilterOn()
    {
        var received = await PublishOneAsync(Acknowledged());

        Assert.Equal(
            new Dictionary<string, object>
            {
                ["cloudEvents:type"] = "io.incidentfunctions.incident.acknowledged",
                ["cloudEvents:subject"] = LinkTestKit.IncidentId,
                ["status"] = "acknowledged",
                ["severity"] = "critical",
                ["priority"] = "P1",
                ["service"] = "checkout",
            },
            received.ApplicationProperties.ToDictionary());
    }

    [Fact]
    public async Task TheBodyIsAStructuredCloudEventASubscriberCanParse()
    {
        var received = await PublishOneAsync(Acknowledged());

        using var json = JsonDocument.Parse(received.Body);
        var root = json.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(received.MessageId, root.GetProperty("id").GetString());
        Assert.Equal($"{LinkTestKit.BaseUrl}/api/incidents", root.GetProperty("source").GetString());
        Assert.Equal(received.Subject, root.GetProperty("type").GetString());
        Assert.Equal(LinkTestKit.IncidentId, root.GetProperty("subject").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal(LifecycleEventTests.Acknowledged().At, root.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("acknowledged", root.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("alice@example.com", root.GetProperty("data").GetProperty("actor").GetString());

        // The Azure SDK's own CloudEvents parser accepts it, as any CloudEvents 1.0 consumer should.
        var parsed = CloudEvent.Parse(received.Body)!;
        Assert.Equal((received.MessageId, received.Subject), (parsed.Id, parsed.Type));
    }

    /// <summary>The activity must fail for the orchestration's retry policy to retry it; the publisher swallows nothing.</summary>
    [Fact]
    public async Task ATransientServiceBusFailureSurfacesSoTheOrchestrationRetriesIt()
    {
        var sender = RecordingServiceBusSender.AlwaysBusy();
        var publisher = new ServiceBusLifecycleEventPublisher(sender, NullLogger<ServiceBusLifecycleEventPublisher>.Instance);

        var error = await Assert.ThrowsAsync<ServiceBusException>(() => publisher.PublishAsync(Acknowledged(), CancellationToken.None));

        Assert.True(error.IsTransient);
        Assert.Equal(ServiceBusFailureReason.ServiceBusy, error.Reason);
        Assert.Equal(1, sender.Attempts);
        Assert.Empty(sender.Sent);
    }
}
