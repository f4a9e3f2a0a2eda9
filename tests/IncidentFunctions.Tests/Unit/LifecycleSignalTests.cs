using Grpc.Core;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// Signals to an orchestration that has finished, or whose history housekeeping purged, as Durable Functions answers
/// them on an Azure Storage task hub: an error status where the dev host's task hub server answers nothing. Acting
/// again on a resolved incident signals exactly such an orchestration, and must still succeed.
/// </summary>
public sealed class LifecycleSignalTests
{
    static readonly LifecycleSignal Resolve = new(SignalKind.Resolve, "alice", Channels.Api, new DateTimeOffset(2026, 12, 3, 3, 7, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.FailedPrecondition)]
    public async Task ASignalToAnOrchestrationThatIsGoneOrHasFinishedIsDropped(StatusCode answer) =>
        await new DurableIncidentLifecycle(new AnsweringClient(answer), events: null).SignalAsync("INC-20261203-7K3QX9MD", Resolve, CancellationToken.None);

    [Fact]
    public async Task AnyOtherFailureToSignalStillFails()
    {
        var lifecycle = new DurableIncidentLifecycle(new AnsweringClient(StatusCode.Unavailable), events: null);

        var error = await Assert.ThrowsAsync<RpcException>(() => lifecycle.SignalAsync("INC-20261203-7K3QX9MD", Resolve, CancellationToken.None));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task OnlyAnAcknowledgementStartsWhatFollowsIt()
    {
        var followUp = new RecordingFollowUp();
        var lifecycle = new DurableIncidentLifecycle(new AnsweringClient(StatusCode.NotFound), events: null, [followUp]);

        await lifecycle.SignalAsync("INC-20261203-7K3QX9MD", Resolve, CancellationToken.None);
        await lifecycle.SignalAsync("INC-20261203-7K3QX9MD", Resolve with { Kind = SignalKind.SourceResolved }, CancellationToken.None);
        Assert.Empty(followUp.Incidents);

        await lifecycle.SignalAsync("INC-20261203-7K3QX9MD", Resolve with { Kind = SignalKind.Acknowledge }, CancellationToken.None);
        Assert.Equal(["INC-20261203-7K3QX9MD"], followUp.Incidents);
    }

    sealed class RecordingFollowUp : IAcknowledgedFollowUp
    {
        public List<string> Incidents { get; } = [];

        public Task AcknowledgedAsync(DurableTaskClient client, string incidentId, CancellationToken ct)
        {
            Incidents.Add(incidentId);
            return Task.CompletedTask;
        }
    }

    /// <summary>Answers every event with <paramref name="answer"/>; nothing else is called by a signal.</summary>
    sealed class AnsweringClient(StatusCode answer) : UnsupportedDurableTaskClient("answering")
    {
        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
            throw new RpcException(new Status(answer, $"answered {answer}"));
    }
}
