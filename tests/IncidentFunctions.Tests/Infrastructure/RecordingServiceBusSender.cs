using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using IncidentFunctions.LifecycleEvents;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// A <see cref="ServiceBusSender"/> that keeps the messages it is given instead of sending them, or fails as told.
/// No Service Bus broker can run on the development machines or in CI: the Service Bus emulator needs Docker, which
/// they do not have, and there is no other local broker. So the publisher is tested against the SDK's own seam for
/// this: ServiceBusSender's protected constructor and virtual methods exist for mocking, and
/// <see cref="ServiceBusReceivedMessage.FromAmqpMessage"/> shows a sent message as a subscriber would receive it.
/// What this cannot show (the topic's duplicate detection, subscription filters, managed identity sign-in) is left
/// to a deployment with a real namespace.
/// </summary>
public sealed class RecordingServiceBusSender(Func<ServiceBusMessage, Exception?>? fail = null) : ServiceBusSender
{
    readonly ConcurrentQueue<ServiceBusMessage> sent = new();
    int attempts;

    /// <summary>Fails every send as a busy namespace does: transient, so the caller is expected to retry.</summary>
    public static RecordingServiceBusSender AlwaysBusy() =>
        new(_ => new ServiceBusException(isTransient: true, "The namespace is busy (test).", LifecycleEventOptions.DefaultTopic, ServiceBusFailureReason.ServiceBusy));

    /// <summary>The messages sent successfully, in order.</summary>
    public IReadOnlyList<ServiceBusMessage> Sent => [.. sent];

    /// <summary>Every call, failed ones included.</summary>
    public int Attempts => Volatile.Read(ref attempts);

    public override string EntityPath => LifecycleEventOptions.DefaultTopic;

    public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref attempts);
        if (fail?.Invoke(message) is { } failure)
        {
            throw failure;
        }

        sent.Enqueue(message);
        return Task.CompletedTask;
    }

    /// <summary>A sent message as a subscriber receives it.</summary>
    public static ServiceBusReceivedMessage Received(ServiceBusMessage message) =>
        ServiceBusReceivedMessage.FromAmqpMessage(message.GetRawAmqpMessage(), new BinaryData(Guid.NewGuid().ToByteArray()));
}
