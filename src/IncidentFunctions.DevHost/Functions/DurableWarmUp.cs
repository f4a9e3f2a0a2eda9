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
/// store is logged and the host goes on; an instance not finished in time (the task hub's partitions still leased, say)
/// is purged once it has run.
/// </summary>
public static partial class DurableWarmUp
{
    public const string Orchestrator = "DevHost.WarmUp";

    public const string Activity = "DevHost.WarmUp.Activity";

    /// <summary>Every warm-up instance id starts with it; none of the app's does (they are incident ids).</summary>
    public const string InstancePrefix = "devhost-warm-up-";

    static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a warm-up not finished in time is waited for to be purged (partition leases last 30 s by default).</summary>
    static readonly TimeSpan PurgeLaterWithin = TimeSpan.FromMinutes(2);

    public static void Register(DurableTaskRegistry registry)
    {
        registry.AddOrchestrator(Orchestrator, () => new WarmUpOrchestrator());
        registry.AddActivity(Activity, _ => new WarmUpActivity());
    }

    /// <summary>
    /// Runs the warm-up once, waiting for it up to <paramref name="within"/> (<see cref="DevHostOptions.DurableWarmUpSeconds"/>):
    /// how long it took, or null if it failed or did not finish in time (logged). Never throws but for <paramref name="ct"/>.
    /// </summary>
    public static async Task<TimeSpan?> RunAsync(DurableTaskClient client, ILogger logger, TimeSpan within, CancellationToken ct)
    {
        var took = Stopwatch.StartNew();
        var instanceId = InstancePrefix + Guid.NewGuid().ToString("N");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(within);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(Orchestrator, "warm", new StartOrchestrationOptions(instanceId), limit.Token);
            await FinishAndPurgeAsync(client, instanceId, PollEvery, limit.Token);
            return took.Elapsed;
        }
        catch (Exception) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Out of time, whatever the exception: the gRPC client reports a call cut off by its token as an
            // RpcException (Cancelled) from some methods (GetInstanceAsync among them), not as a cancellation.
            // No orchestration runs before this host holds the task hub's partitions, which a host killed with work in
            // flight leaves leased until the leases expire. The instance runs then, and is purged once it has.
            LogNotInTime(logger, within.TotalSeconds, instanceId);
            _ = PurgeOnceFinishedAsync(client, instanceId, logger, ct);
            return null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogNotWarm(logger, e, took.ElapsedMilliseconds, instanceId);
            return null;
        }
    }

    /// <summary>Waits for the instance to finish and purges it, whether it completed or not; throws if it did not complete.</summary>
    static async Task FinishAndPurgeAsync(DurableTaskClient client, string instanceId, TimeSpan pollEvery, CancellationToken ct)
    {
        var done = await FinishedAsync(client, instanceId, pollEvery, ct);
        await client.PurgeInstanceAsync(instanceId, ct);
        if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            throw new InvalidOperationException($"The warm-up orchestration ended {done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        }
    }

    static async Task PurgeOnceFinishedAsync(DurableTaskClient client, string instanceId, ILogger logger, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(PurgeLaterWithin);
        try
        {
            await FinishAndPurgeAsync(client, instanceId, TimeSpan.FromSeconds(1), limit.Token);
            LogPurgedLater(logger, instanceId);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // The host is stopping: the next start's housekeeping has it.
        }
        catch (Exception e)
        {
            // Only ever a leftover of a few rows, and history housekeeping purges finished orchestrations.
            LogNotPurged(logger, e, instanceId);
        }
    }

    /// <summary>
    /// Reads the instance until it has finished. The client's own wait polls the task hub server about every 2 s, which
    /// here would be most of the warm-up: the orchestration itself finishes in about a second on a fresh start.
    /// </summary>
    static async Task<OrchestrationMetadata> FinishedAsync(DurableTaskClient client, string instanceId, TimeSpan pollEvery, CancellationToken ct)
    {
        while (true)
        {
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is { IsCompleted: true } done)
            {
                return done;
            }

            await Task.Delay(pollEvery, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "The Durable path's warm-up did not finish within {Seconds} s: no orchestration runs until this host holds the task hub's partitions, which a host that ended without releasing them leaves leased until they expire. The first orchestrations may be slower; {InstanceId} is purged once it has run")]
    static partial void LogNotInTime(ILogger logger, double seconds, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Durable path's warm-up {InstanceId} ran late, and is purged")]
    static partial void LogPurgedLater(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Durable path's warm-up {InstanceId} was not purged; history housekeeping purges it")]
    static partial void LogNotPurged(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the Durable path failed after {Milliseconds} ms ({InstanceId}); the first orchestrations may be slower")]
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
