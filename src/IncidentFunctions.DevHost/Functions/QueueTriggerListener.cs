using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using IncidentFunctions.Storage;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Drains a queue for one queue-triggered function with the Functions host's semantics (host.json "queues"):
/// up to batchSize messages at a time, a new batch when in-flight work falls to newBatchThreshold, polling that backs
/// off to maxPollingInterval when idle; a failed message becomes visible again after visibilityTimeout, and after
/// maxDequeueCount attempts it moves to "{queue}-poison" with the reason logged.
/// </summary>
public sealed partial class QueueTriggerListener(
    FunctionDescriptor function,
    QueueSettings settings,
    IServiceProvider services,
    IConfiguration configuration,
    StorageRequestMeter meter,
    IHostApplicationLifetime lifetime,
    ILogger<QueueTriggerListener> logger) : BackgroundService
{
    // How long a message is hidden while it is processed; the Functions host uses the same 10 minutes.
    static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(10);
    static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queueName = AppSettingExpressions.Resolve(function.Queue.QueueName, configuration);
        var connection = StorageConnection.FromConfiguration(configuration, function.Queue.Connection ?? ConnectionNames.Storage);
        // Counted apart from the app's own queue requests: in Azure the Functions host polls, not the app.
        var options = meter.AddTo(new QueueClientOptions { MessageEncoding = settings.Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None }, "trigger queue");
        var queue = connection.ConnectionString is { } cs ? new QueueClient(cs, queueName, options) : throw new NotSupportedException("The dev host needs a storage connection string.");
        var poison = new QueueClient(connection.ConnectionString, QueueNames.PoisonOf(queueName), options);
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var bind = Binders(function);

        var maxInFlight = settings.BatchSize + settings.NewBatchThreshold;
        using var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        var delay = MinPollingInterval;
        // No new messages once the application begins stopping, before this listener is stopped: they would compete
        // with the Durable work the host lets finish first (see DurableFunctions.TaskHubBootstrap).
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        LogListening(logger, function.Name, queueName);
        while (!fetching.IsCancellationRequested)
        {
            try
            {
                // Fetch the next batch only once in-flight work has fallen to newBatchThreshold.
                while (maxInFlight - slots.CurrentCount > settings.NewBatchThreshold)
                {
                    await Task.Delay(5, fetching.Token);
                }

                QueueMessage[] batch = await queue.ReceiveMessagesAsync(settings.BatchSize, ProcessingLease, fetching.Token);
                if (batch.Length == 0)
                {
                    await Task.Delay(delay, fetching.Token);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollingInterval.Ticks));
                    continue;
                }

                delay = MinPollingInterval;
                foreach (var message in batch)
                {
                    // A batch taken is started whole: a message left out would stay hidden for its lease.
                    await slots.WaitAsync(stoppingToken);
                    _ = Task.Run(
                        async () =>
                        {
                            try
                            {
                                await HandleAsync(queue, poison, message, bind, stoppingToken);
                            }
                            finally
                            {
                                slots.Release();
                            }
                        },
                        CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (fetching.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogPollFailed(logger, e, queueName);
                await Task.Delay(settings.MaxPollingInterval, fetching.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        // Let in-flight invocations finish for a while; what they do not finish reappears after its lease and is retried.
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            for (var i = 0; i < maxInFlight; i++)
            {
                await slots.WaitAsync(grace.Token);
            }
        }
        catch (OperationCanceledException)
        {
            LogAbandoned(logger, function.Name, maxInFlight - slots.CurrentCount);
        }
    }

    async Task HandleAsync(QueueClient queue, QueueClient poison, QueueMessage message, Func<QueueMessage, IServiceProvider, CancellationToken, object?[]> bind, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            await function.InvokeAsync(function.CreateTarget(scope.ServiceProvider), bind(message, scope.ServiceProvider, stoppingToken));
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    LogPoisoned(logger, e, function.Name, message.MessageId, message.DequeueCount, QueueNames.PoisonOf(queue.Name), e.Message);
                    await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                }
                else
                {
                    LogFailed(logger, e, function.Name, message.MessageId, message.DequeueCount, settings.MaxDequeueCount, e.Message);
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }
            }
            catch (Exception handling)
            {
                // The lease expires on its own and the message is retried; nothing is lost.
                LogHandlingFailed(logger, handling, message.MessageId);
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message reappears after its lease and is processed again.
        }
    }

    static Func<QueueMessage, IServiceProvider, CancellationToken, object?[]> Binders(FunctionDescriptor function)
    {
        var parameters = function.Method.GetParameters();
        var binders = parameters.Select(p => p == function.Trigger ? null : ParameterBinding.For(function, p)).ToArray();
        var triggerType = function.Trigger.ParameterType;
        Func<QueueMessage, object?> payload =
            triggerType == typeof(string) ? m => m.Body.ToString()
            : triggerType == typeof(BinaryData) ? m => m.Body
            : triggerType == typeof(byte[]) ? m => m.Body.ToArray()
            : triggerType == typeof(QueueMessage) ? m => m
            : m => JsonSerializer.Deserialize(m.Body.ToString(), triggerType, JsonDefaults.Options);
        return (message, services, ct) => binders.Select(b => b is null ? payload(message) : b(services, ct, null)).ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {Function} listening on queue {Queue}")]
    static partial void LogListening(ILogger logger, string function, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {Function} failed on message {MessageId} (attempt {Attempt} of {Max}); it will be retried: {Reason}")]
    static partial void LogFailed(ILogger logger, Exception e, string function, string messageId, long attempt, int max, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed on message {MessageId} {Attempts} times; moved to {PoisonQueue}. Reason: {Reason}")]
    static partial void LogPoisoned(ILogger logger, Exception e, string function, string messageId, long attempts, string poisonQueue, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not poll queue {Queue}; retrying")]
    static partial void LogPollFailed(ILogger logger, Exception e, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {Function} stopped with {Count} messages in flight; they reappear when their lease ends")]
    static partial void LogAbandoned(ILogger logger, string function, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release message {MessageId}; it reappears when its lease ends")]
    static partial void LogHandlingFailed(ILogger logger, Exception e, string messageId);
}
