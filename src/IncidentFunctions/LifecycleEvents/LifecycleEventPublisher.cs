using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.LifecycleEvents;

/// <summary>Where lifecycle events go; the seam between the app and the message broker.</summary>
public interface ILifecycleEventPublisher
{
    /// <summary>Publishes the event or throws; publishing the same event again must be harmless (same message id).</summary>
    Task PublishAsync(LifecycleEvent lifecycleEvent, CancellationToken ct);
}

/// <summary>
/// Sends each event as one CloudEvents structured-mode JSON message to the topic. Failures are not caught here: they
/// fail the activity, and the orchestration's retry policy retries it with the same message id.
/// </summary>
public sealed partial class ServiceBusLifecycleEventPublisher(ServiceBusSender sender, ILogger<ServiceBusLifecycleEventPublisher> logger) : ILifecycleEventPublisher
{
    public const string ContentType = "application/cloudevents+json";

    public async Task PublishAsync(LifecycleEvent lifecycleEvent, CancellationToken ct)
    {
        await sender.SendMessageAsync(ToMessage(lifecycleEvent), ct);
        LogPublished(logger, lifecycleEvent.Type, lifecycleEvent.Subject, lifecycleEvent.Id);
    }

    /// <summary>
    /// The message: MessageId is the event id, so the topic's duplicate detection drops a retried send that had in fact
    /// arrived. Application properties repeat what subscriptions filter on, since a SQL filter cannot read the body.
    /// </summary>
    public static ServiceBusMessage ToMessage(LifecycleEvent lifecycleEvent)
    {
        var data = lifecycleEvent.Data;
        var message = new ServiceBusMessage(BinaryData.FromObjectAsJson(lifecycleEvent.ToCloudEvent()))
        {
            MessageId = lifecycleEvent.Id,
            ContentType = ContentType,
            Subject = lifecycleEvent.Type,
            CorrelationId = lifecycleEvent.Subject,

            // On a partitioned topic duplicate detection works per partition: every send of one event must land in the same one.
            PartitionKey = lifecycleEvent.Subject,
        };
        var properties = message.ApplicationProperties;
        properties["cloudEvents:type"] = lifecycleEvent.Type;
        properties["cloudEvents:subject"] = lifecycleEvent.Subject;
        properties["status"] = data.Status;
        properties["severity"] = data.Severity.ToString().ToLowerInvariant();
        if (data.Priority is { } priority)
        {
            properties["priority"] = priority;
        }

        if (data.ServiceId is { } service)
        {
            properties["service"] = service;
        }

        return message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Type} for incident {IncidentId} as message {MessageId}")]
    static partial void LogPublished(ILogger logger, string type, string incidentId, string messageId);
}

/// <summary>
/// Events are off (the default). Orchestrations started while off never call it; one that began while events were on
/// and runs on after they were switched off reaches this, and nothing is sent.
/// </summary>
public sealed partial class DisabledLifecycleEventPublisher(ILogger<DisabledLifecycleEventPublisher> logger) : ILifecycleEventPublisher
{
    public Task PublishAsync(LifecycleEvent lifecycleEvent, CancellationToken ct)
    {
        LogSkipped(logger, lifecycleEvent.Type, lifecycleEvent.Subject);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifecycle events are off; not publishing {Type} for incident {IncidentId}")]
    static partial void LogSkipped(ILogger logger, string type, string incidentId);
}
