using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Runs one orchestration through the dev host's Durable path as it starts, before it says it is ready, then purges it:
/// a start, a timer, an activity and a purge, on the task hub server, the worker, the provider and Azurite. Measured on
/// the development VM (issue 14), the first email of the incidents opened in the first two seconds after a start was
/// the slowest of a run, up to twice the median and not matched by Alertmanager's for the same alerts: their openings
/// waited behind the first orchestrations, which are the first use of that whole path (the provider's history and
/// instance tables in Azurite, the gRPC hop, the orchestration executor). The app's own first-page path is warmed by
/// <see cref="Ingestion.FirstPageWarmUp"/>, in Azure as here; this one is the dev host's, since in Azure the Durable
/// extension in the Functions host runs orchestrations, not our code. Best effort and bounded: a failure or a slow
/// store is logged and the host goes on; an instance not finished in time is left to history housekeeping, which purges
/// finished orchestrations.
/// </summary>
public static partial class DurableWarmUp
{
    public const string Orchestrator = "DevHost.WarmUp";

    public const string Activity = "DevHost.WarmUp.Activity";

    /// <summary>Every warm-up instance id starts with it; none of the app's does (they are incident ids).</summary>
    public const string InstancePrefix = "devhost-warm-up-";

    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(50);

    public static void Register(DurableTaskRegistry registry)
    {
        registry.AddOrchestrator(Orchestrator, () => new WarmUpOrchestrator());
        registry.AddActivity(Activity, _ => new WarmUpActivity());
    }

    /// <summary>Runs the warm-up once: how long it took, or null if it failed (logged). Never throws but for <paramref name="ct"/>.</summary>
    public static async Task<TimeSpan?> RunAsync(DurableTaskClient client, ILogger logger, CancellationToken ct)
    {
        var took = Stopwatch.StartNew();
        var instanceId = InstancePrefix + Guid.NewGuid().ToString("N");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Limit);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(Orchestrator, "warm", new StartOrchestrationOptions(instanceId), limit.Token);
            var done = await FinishedAsync(client, instanceId, limit.Token);
            if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
            {
                throw new InvalidOperationException($"The warm-up orchestration ended {done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
            }

            await client.PurgeInstanceAsync(instanceId, limit.Token);
            return took.Elapsed;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogNotWarm(logger, e, took.ElapsedMilliseconds, instanceId);
            return null;
        }
    }

    /// <summary>
    /// Reads the instance until it has finished. The client's own wait polls the task hub server about every 2 s, which
    /// here would be most of the warm-up: the orchestration itself finishes in about a second on a fresh start.
    /// </summary>
    static async Task<OrchestrationMetadata> FinishedAsync(DurableTaskClient client, string instanceId, CancellationToken ct)
    {
        while (true)
        {
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is { IsCompleted: true } done)
            {
                return done;
            }

            await Task.Delay(PollEvery, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the Durable path failed after {Milliseconds} ms ({InstanceId} is left to history housekeeping); the first orchestrations may be slower")]
    static partial void LogNotWarm(ILogger logger, Exception exception, long milliseconds, string instanceId);

    /// <summary>An escalation's shape: a timer, then an activity whose result the orchestration reads.</summary>
    sealed class WarmUpOrchestrator : TaskOrchestrator<string, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
        {
            await context.CreateTimer(context.CurrentUtcDateTime, CancellationToken.None);
            // Registered by name above, not by a [Function] the analyzer can see.
#pragma warning disable DURABLE2003
            return await context.CallActivityAsync<string>(Activity, input);
#pragma warning restore DURABLE2003
        }
    }

    sealed class WarmUpActivity : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input);
    }
}
