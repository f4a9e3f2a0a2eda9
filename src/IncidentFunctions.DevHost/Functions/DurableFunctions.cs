using System.Net.Sockets;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using IncidentFunctions.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Runs the app's orchestrator and activity functions on a Durable Task worker, against the Durable Task Azure Storage
/// provider (the one Durable Functions uses by default in Azure) on the configured storage account. The worker and the
/// client talk gRPC to an in-process TaskHubGrpcServer over a Unix socket, so no extra TCP port is taken.
/// State lives in storage: restarting the dev host resumes in-flight orchestrations and their timers.
/// </summary>
public static partial class DurableFunctions
{
    /// <summary>
    /// What the provider's storage requests are counted as, before the service: "durable table", "durable queue",
    /// "durable blob" (see <see cref="StorageRequestMeter"/>).
    /// </summary>
    public const string StorageClient = "durable";

    public static WebApplicationBuilder AddDurableFunctions(
        this WebApplicationBuilder builder, FunctionCatalog catalog, DurableSettings settings, string socketPath, StorageRequestMeter storageRequests)
    {
        var connection = StorageConnection.FromConfiguration(builder.Configuration).ConnectionString
            ?? throw new NotSupportedException("The dev host runs Durable Functions on a storage connection string (Azurite or an account key).");
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = settings.HubName,
            // The provider's own clients, counted on the app's meter: most of an incident's storage requests are its.
            StorageAccountClientProvider = new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(connection, storageRequests.AddTo(new BlobClientOptions(), $"{StorageClient} blob")),
                StorageServiceClientProvider.ForQueue(connection, storageRequests.AddTo(new QueueClientOptions(), $"{StorageClient} queue")),
                StorageServiceClientProvider.ForTable(connection, storageRequests.AddTo(new TableClientOptions(), $"{StorageClient} table"))),
            MaxQueuePollingInterval = settings.MaxQueuePollingInterval,
            PartitionCount = settings.PartitionCount,
            MaxConcurrentTaskActivityWorkItems = settings.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = settings.MaxConcurrentOrchestrations,

            // A restarted dev host is a new worker: with the machine name alone as its id it would contend with the
            // leases its predecessor left, and the app lease only matters when two apps share one task hub.
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}",
            UseAppLease = false,
        });

        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var inFlight = new DurableWorkInFlight();
        builder.Services.AddHostedService(services => new TaskHubBootstrap(service, inFlight, services.GetRequiredService<ILoggerFactory>().CreateLogger("IncidentFunctions.DevHost.Durable")));

        var channel = CreateChannel(socketPath);
        // The worker takes OperationCanceledException for shutting down and any other failure for a failed work item
        // ("Unexpected error", logged with a stack trace). Work still running when the drain above gives up is
        // cancelled by the worker itself: its calls must end as the former, as they do on this channel.
        var workerChannel = CreateChannel(socketPath, throwOperationCanceledOnCancellation: true);
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(grpc => grpc.CallInvoker = workerChannel.Intercept(inFlight));

            // The registry is options of the worker; configuring it from DI gives orchestrators the app's loggers.
            builder.Services.AddOptions<DurableTaskRegistry>(worker.Name)
                .Configure<ILoggerFactory>((registry, loggerFactory) =>
                {
                    Register(registry, catalog, loggerFactory);
                    DurableWarmUp.Register(registry);
                });
        });
        builder.Services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(channel);
            client.RegisterDirectly();
        });
        return builder;
    }

    /// <summary>Registers the app's orchestrator and activity functions; the tests use it with DurableTaskTestHost.</summary>
    public static void Register(DurableTaskRegistry registry, FunctionCatalog catalog, ILoggerFactory loggerFactory)
    {
        foreach (var function in catalog.OfKind(TriggerKind.Orchestration))
        {
            if (!function.Method.IsStatic)
            {
                throw new NotSupportedException($"Orchestrator {function.Name} must be static: orchestrators hold no injected state.");
            }

            registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(function, loggerFactory));
        }

        foreach (var function in catalog.OfKind(TriggerKind.Activity))
        {
            registry.AddActivity(function.Name, services => new FunctionActivity(function, services));
        }
    }

    /// <summary>The Unix socket of the task hub server of the dev host with this process id.</summary>
    public static string SocketPath(int processId) => Path.Combine(Path.GetTempPath(), $"incidentfunctions-devhost-{processId}.sock");

    /// <summary>A gRPC channel to the task hub server's Unix socket; the tests use it to reach a running dev host.</summary>
    public static GrpcChannel CreateChannel(string socketPath, bool throwOperationCanceledOnCancellation = false) =>
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { ConnectCallback = (_, ct) => ConnectUnixSocketAsync(socketPath, ct) },
            ThrowOperationCanceledOnCancellation = throwOperationCanceledOnCancellation,
        });

    static async ValueTask<Stream> ConnectUnixSocketAsync(string path, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the task hub's queues, tables and containers before the dispatcher starts polling them; on shutdown lets
    /// the work items in flight finish before anything stops, then releases the control-queue partition leases, so that
    /// a restarted host takes them over at once instead of waiting for them to expire.
    /// </summary>
    sealed class TaskHubBootstrap(AzureStorageOrchestrationService service, DurableWorkInFlight inFlight, ILogger logger) : IHostedLifecycleService
    {
        /// <summary>Local work items take milliseconds; one still running after this waits on something outside.</summary>
        static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

        bool drained = true;

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => service.CreateIfNotExistsAsync();

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        /// <summary>
        /// Runs before any hosted service stops, after the application began stopping (Ctrl+C, SIGTERM alike), when the
        /// task hub server no longer hands out work. A worker stopped with work in flight cancels that work's completion
        /// calls: the work is done again after the next start, and the provider waits for the sessions it never gets
        /// back before it releases its partitions (our 10 s below). Under load that was about 12 s and an error per item.
        /// </summary>
        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            drained = await inFlight.WaitUntilNoneAsync(DrainTimeout, cancellationToken);
            if (!drained)
            {
                LogStillRunning(logger, inFlight.Count, DrainTimeout.TotalSeconds);
            }
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            try
            {
                // Drained, no session holds a partition; otherwise the sessions left are dropped rather than waited for.
                await service.StopAsync(isForced: !drained).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (NullReferenceException)
            {
                // Seen with DurableTask.AzureStorage 2.11.2 and UseAppLease off: its app lease manager, never started,
                // throws when stopped, at the end of the service's stop. Shutting down is all that is left to do, and a
                // stack trace on every Ctrl+C would suggest otherwise.
            }
            catch (TimeoutException)
            {
                // Storage went away first (an Azurite stopped by the same Ctrl+C, say). Nothing is lost: a restarted host
                // waits for the leases to expire instead of taking them over at once.
                logger.LogWarning("Could not release the task hub's partition leases within 10 s; the next start may wait for them to expire");
            }
        }

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} Durable work items still ran {Seconds} s after the host began stopping; they run again after the next start")]
    static partial void LogStillRunning(ILogger logger, int count, double seconds);

    /// <summary>An orchestrator function: its trigger parameter receives the context, which reads the input.</summary>
    sealed class FunctionOrchestrator(FunctionDescriptor function, ILoggerFactory loggerFactory) : ITaskOrchestrator
    {
        public Type InputType => typeof(object);

        public Type OutputType => function.Method.ReturnType.IsGenericType ? function.Method.ReturnType.GetGenericArguments()[0] : typeof(object);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            if (function.Method.GetParameters().Length != 1)
            {
                throw new NotSupportedException($"Orchestrator {function.Name} must take only its context; read the input with context.GetInput<T>().");
            }

            return function.InvokeAsync(null, [new FunctionOrchestrationContext(context, input, loggerFactory)]);
        }
    }

    /// <summary>An activity function: its class is created per call from DI, like the Functions worker does.</summary>
    sealed class FunctionActivity(FunctionDescriptor function, IServiceProvider services) : ITaskActivity
    {
        readonly Func<IServiceProvider, CancellationToken, IReadOnlyDictionary<string, object?>?, object?>?[] binders =
            function.Method.GetParameters().Select(p => p == function.Trigger ? null : ParameterBinding.For(function, p)).ToArray();

        public Type InputType => function.Trigger.ParameterType;

        public Type OutputType => function.Method.ReturnType.IsGenericType ? function.Method.ReturnType.GetGenericArguments()[0] : typeof(object);

        public Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var arguments = binders.Select(b => b is null ? input : b(services, CancellationToken.None, null)).ToArray();
            return function.InvokeAsync(function.CreateTarget(services), arguments);
        }
    }
}
