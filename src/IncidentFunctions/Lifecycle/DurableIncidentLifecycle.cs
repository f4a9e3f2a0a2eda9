using System.Text.Json;
using Grpc.Core;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Lifecycle;

/// <summary>Hands function classes the lifecycle seam for the Durable client their trigger bound.</summary>
public sealed class IncidentLifecycles(IOptions<LifecycleEventOptions> events, IEnumerable<IAcknowledgedFollowUp> followUps)
{
    public IIncidentLifecycle For(DurableTaskClient client) => new DurableIncidentLifecycle(client, events.Value.Plan, [.. followUps]);
}

/// <summary>
/// What starts when a responder acknowledges an incident (the coordination of the response: its reminders). Told by
/// whoever stored the acknowledgement (an email link, the API, the source), after the paging orchestration was
/// signalled, and again for a repeated acknowledgement: it must be safe to repeat. Defined here and implemented by
/// Responding, which sits above the lifecycle.
/// </summary>
public interface IAcknowledgedFollowUp
{
    Task AcknowledgedAsync(DurableTaskClient client, string incidentId, CancellationToken ct);
}

/// <summary>
/// Starts and signals incident orchestrations on a Durable client. <paramref name="events"/> is how to publish lifecycle
/// events (null: off), which an orchestration started with an <see cref="OpeningDone"/> keeps for the incident's life.
/// </summary>
public sealed class DurableIncidentLifecycle(DurableTaskClient client, EventPublishingPlan? events, IReadOnlyList<IAcknowledgedFollowUp>? followUps = null) : IIncidentLifecycle
{
    // Every status: an instance id that was ever used is never started again, whatever state it is in.
    static readonly OrchestrationRuntimeStatus[] NeverReplace = StartOrchestrationOptionsExtensions.ValidDedupeStatuses.ToArray();

    public async Task<bool> EnsureStartedAsync(string incidentId, OpeningDone? opening, CancellationToken ct)
    {
        // An opening's incident id is new, so no run of it can exist yet; anyone else checks first, which costs a read
        // but keeps a second start from depending on the backend's dedupe (see FACTS: not every version enforced it).
        if (opening is null && await client.GetInstanceAsync(incidentId, getInputsAndOutputs: false, ct) is not null)
        {
            return false;
        }

        try
        {
            var options = new StartOrchestrationOptions(incidentId).WithDedupeStatuses(NeverReplace);
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(IncidentOrchestration.IncidentOrchestrator), InputOf(incidentId, opening), options, ct);
            return true;
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return false;
        }
    }

    public async Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct)
    {
        try
        {
            await client.RaiseEventAsync(incidentId, LifecycleSignals.Name, signal, ct);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition)
        {
            // Durable Functions on an Azure Storage task hub refuses an event for an orchestration that has finished
            // (FailedPrecondition) or does not exist (NotFound: its history purged by housekeeping, or not started yet),
            // where the dev host's task hub server drops it without a word. Either way there is nothing to wake: a
            // finished orchestration acts on nothing more, and one not yet started reads the incident row as it begins.
        }

        // Only once someone has taken the incident on: an incident that is still paging pays nothing for coordination.
        if (signal.Kind == SignalKind.Acknowledge)
        {
            foreach (var followUp in followUps ?? [])
            {
                await followUp.AcknowledgedAsync(client, incidentId, ct);
            }
        }
    }

    IncidentLifecycleInput InputOf(string incidentId, OpeningDone? opening) => opening is null
        ? new IncidentLifecycleInput(incidentId, Revision: IncidentLifecycleInput.Current)
        : new IncidentLifecycleInput(incidentId, Revision: IncidentLifecycleInput.Current, Start: new IncidentStart(
            JsonSerializer.Deserialize<TriageResult>(opening.Triage, JsonDefaults.Options)
                ?? throw new InvalidOperationException($"Incident {incidentId} was opened without a triage."),
            new IncidentState(incidentId, IncidentStatus.Open, opening.Integration, AcknowledgedAt: null, AcknowledgedBy: null, SourceResolvedAt: null),
            events,
            opening.OpenedAt,
            opening.FirstPageSentAt,
            FirstPageSent: true));

    // Racing starters lose with AlreadyExists (gRPC) or the SDK's translation of it, depending on the backend.
    internal static bool IsAlreadyExists(Exception e) =>
        e is RpcException { StatusCode: StatusCode.AlreadyExists } ||
        e is InvalidOperationException && e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase) ||
        e.InnerException is not null && IsAlreadyExists(e.InnerException);
}
