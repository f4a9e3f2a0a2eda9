using Grpc.Core;
using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// How the dev host's Durable warm-up reads a wait cut off by its limit. The paths through a real task hub are in
/// DevHostStartStopTests; this pins the one case they meet only on a loaded machine: the limit running out while a
/// call to the task hub server is in flight, which the gRPC client reports as an RpcException, not a cancellation.
/// </summary>
public sealed class DurableWarmUpTests
{
    [Fact]
    public async Task AWarmUpCutOffByItsLimitMidCallIsReportedAsNotInTimeAndPurgedOnceItHasRun()
    {
        await using var client = new LeasesHeldClient();
        using var log = new RecordingLoggerProvider();

        var took = await DurableWarmUp.RunAsync(client, log.CreateLogger("warm-up"), TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.Null(took);
        var instanceId = Assert.Single(client.Scheduled);
        Assert.Contains(log.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("did not finish within 0.3 s", StringComparison.Ordinal) && m.Text.Contains(instanceId, StringComparison.Ordinal));
        Assert.DoesNotContain(log.Messages, m => m.Text.Contains("failed", StringComparison.Ordinal));
        await Eventually.Get(() => Task.FromResult<string?>(client.Purged.FirstOrDefault()), "the late warm-up purged", TimeSpan.FromSeconds(20));
        Assert.Equal([instanceId], client.Purged);
        Assert.Contains(log.Messages, m => m.Text.Contains($"{instanceId} ran late, and is purged", StringComparison.Ordinal));
    }

    [Fact]
    public void TheStartWaitsFiveSecondsForTheWarmUpUnlessToldOtherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), new DevHostOptions().DurableWarmUpLimit);
        Assert.Equal(TimeSpan.FromSeconds(12.5), new DevHostOptions { DurableWarmUpSeconds = 12.5 }.DurableWarmUpLimit);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(301)]
    [InlineData(double.NaN)]
    public void AWarmUpLimitOutOfRangeRefusesTheStartNamingTheSetting(double seconds)
    {
        var refused = Assert.Throws<DevHostStartException>(() => new DevHostOptions { DurableWarmUpSeconds = seconds }.DurableWarmUpLimit);
        Assert.Contains("DevHost:DurableWarmUpSeconds", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A task hub whose partitions are still leased by a killed host: the scheduled instance does not run until the
    /// first read of it is cut off (the leases expiring then, in effect), and that read ends as a gRPC call does when its
    /// token is cancelled. Later reads find it completed.
    /// </summary>
    sealed class LeasesHeldClient() : UnsupportedDurableTaskClient("leases-held")
    {
        volatile bool ran;

        public List<string> Scheduled { get; } = [];

        public List<string> Purged { get; } = [];

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
        {
            Assert.Equal(DurableWarmUp.Orchestrator, orchestratorName.Name);
            Scheduled.Add(options!.InstanceId!);
            return Task.FromResult(options.InstanceId!);
        }

        public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
        {
            if (!ran)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellation);
                }
                catch (OperationCanceledException)
                {
                    ran = true;
                    throw new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."));
                }
            }

            return new OrchestrationMetadata(DurableWarmUp.Orchestrator, instanceId) { RuntimeStatus = OrchestrationRuntimeStatus.Completed };
        }

        public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
        {
            lock (Purged)
            {
                Purged.Add(instanceId);
            }

            return Task.FromResult(new PurgeResult(1));
        }
    }
}
