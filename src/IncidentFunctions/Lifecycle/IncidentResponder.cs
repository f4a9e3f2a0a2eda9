using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Lifecycle;

public enum TransitionOutcome
{
    /// <summary>This call changed the incident.</summary>
    Applied,

    /// <summary>Someone did the same earlier: <see cref="TransitionResult.ActedBy"/> and when say who.</summary>
    AlreadyDone,

    /// <summary>The incident is past this step (an acknowledgement of a resolved incident).</summary>
    Superseded,

    NotFound,
}

/// <summary>
/// The result of acknowledging or resolving. For <see cref="TransitionOutcome.AlreadyDone"/> and
/// <see cref="TransitionOutcome.Superseded"/>, ActedBy/ActedVia/ActedAt describe the earlier action that won.
/// </summary>
public sealed record TransitionResult(
    TransitionOutcome Outcome,
    IncidentEntity? Incident,
    string? ActedBy = null,
    string? ActedVia = null,
    DateTimeOffset? ActedAt = null);

/// <summary>
/// Acknowledging and resolving, by a responder (email link, API) or by the orchestration (auto-resolve). The incident row
/// is the single source of truth: the change is made there first, with its ETag, so that racing actors end in one
/// consistent state and the loser learns who won. Only then is the orchestration woken; it re-reads the row, so a
/// signal that arrives early, late or twice changes nothing, and one raised before the orchestration exists is not lost.
/// </summary>
/// <remarks>
/// The same write moves the response along (<see cref="IncidentResponse"/>): acknowledging takes triage to
/// investigating, records the acknowledged milestone and makes the acknowledger commander when nobody leads yet;
/// resolving takes any active stage to resolved and records the resolved milestone. No second write on this path.
/// </remarks>
public sealed class IncidentResponder(IncidentStore incidents, TimelineStore timeline, TimeProvider time)
{
    /// <summary>
    /// Acknowledges as <paramref name="actor"/>. <paramref name="person"/> is the acknowledger's policy person id when
    /// they have one (an email link's recipient, a signed-in caller the policy knows): they become commander when
    /// nobody is. <paramref name="participant"/> is how the incident names them among its participants (the person by
    /// default; a signed-in caller the policy does not know is named by their key); none for a source's acknowledgement.
    /// </summary>
    public Task<TransitionResult> AcknowledgeAsync(
        string incidentId, string actor, string channel, IIncidentLifecycle lifecycle, CancellationToken ct, string? person = null, string? participant = null) =>
        TransitionAsync(incidentId, SignalKind.Acknowledge, actor, channel, null, lifecycle, ct, person, participant ?? person);

    /// <summary>Resolves as <paramref name="actor"/>; <paramref name="participant"/> as for <see cref="AcknowledgeAsync"/>.</summary>
    public Task<TransitionResult> ResolveAsync(
        string incidentId, string actor, string channel, IIncidentLifecycle? lifecycle, CancellationToken ct, DateTimeOffset? at = null, string? participant = null) =>
        TransitionAsync(incidentId, SignalKind.Resolve, actor, channel, at, lifecycle, ct, person: null, participant);

    /// <summary>
    /// Puts an acknowledged incident back to triggered because its acknowledgement went stale, unless it changed since
    /// (resolved, or acknowledged again): then the incident is returned as it is.
    /// </summary>
    public async Task<IncidentEntity> RetriggerAsync(RetriggerRequest request, CancellationToken ct)
    {
        while (true)
        {
            var incident = await incidents.FindAsync(request.IncidentId, ct)
                ?? throw new InvalidOperationException($"Incident {request.IncidentId} does not exist.");
            if (incident.LastRetriggerEventId == request.EventId)
            {
                // This request's own update landed before a crash: finish recording it.
                await RecordRetriggerAsync(incident, request, ct);
                return incident;
            }

            if (incident.StatusValue != IncidentStatus.Acknowledged || incident.AcknowledgedAt != request.AcknowledgedAt)
            {
                return incident;
            }

            incident.Status = nameof(IncidentStatus.Open);
            incident.StaleAcknowledgedBy = incident.AcknowledgedBy;
            incident.AcknowledgedAt = null;
            incident.AcknowledgedBy = null;
            incident.AcknowledgedVia = null;
            incident.LastRetriggerEventId = request.EventId;
            if (await incidents.TryUpdateAsync(incident, ct))
            {
                await RecordRetriggerAsync(incident, request, ct);
                return incident;
            }
        }
    }

    async Task RecordRetriggerAsync(IncidentEntity incident, RetriggerRequest request, CancellationToken ct)
    {
        await incidents.IndexAsync(incident, ct);
        await timeline.AppendAsync(incident.Id, new TimelineEvent(
            request.EventId, request.At, TimelineEventTypes.IncidentRetriggered, "system", Channels.System,
            $"Acknowledgement by {incident.StaleAcknowledgedBy} went stale after {request.AfterMinutes:0.##} min without a resolution; paging again",
            new Dictionary<string, string> { ["acknowledgedBy"] = incident.StaleAcknowledgedBy ?? string.Empty, ["acknowledgedAt"] = request.AcknowledgedAt.ToString("O") }), ct);
    }

    async Task<TransitionResult> TransitionAsync(
        string incidentId, SignalKind kind, string actor, string channel, DateTimeOffset? at, IIncidentLifecycle? lifecycle, CancellationToken ct,
        string? person, string? participant)
    {
        while (true)
        {
            var incident = await incidents.FindAsync(incidentId, ct);
            if (incident is null)
            {
                return new TransitionResult(TransitionOutcome.NotFound, null);
            }

            var status = incident.StatusValue;
            if (status == IncidentStatus.Resolved)
            {
                // Repair what a crash after the winning write may have left undone; every step below is idempotent.
                await RecordAsync(incident, SignalKind.Resolve, lifecycle, ct);
                return new TransitionResult(
                    kind == SignalKind.Resolve ? TransitionOutcome.AlreadyDone : TransitionOutcome.Superseded,
                    incident, incident.ResolvedBy, incident.ResolvedVia, incident.ResolvedAt);
            }

            if (kind == SignalKind.Acknowledge && status == IncidentStatus.Acknowledged)
            {
                await RecordAsync(incident, SignalKind.Acknowledge, lifecycle, ct);
                return new TransitionResult(TransitionOutcome.AlreadyDone, incident, incident.AcknowledgedBy, incident.AcknowledgedVia, incident.AcknowledgedAt);
            }

            var now = at ?? time.GetUtcNow();
            if (kind == SignalKind.Acknowledge)
            {
                incident.Status = nameof(IncidentStatus.Acknowledged);
                incident.AcknowledgedAt = now;
                incident.AcknowledgedBy = actor;
                incident.AcknowledgedVia = channel;
            }
            else
            {
                incident.Status = nameof(IncidentStatus.Resolved);
                incident.ResolvedAt = now;
                incident.ResolvedBy = actor;
                incident.ResolvedVia = channel;
            }

            incident.SetResponse(Responded(incident.ResponseValue, kind, now, person, participant));

            if (await incidents.TryUpdateAsync(incident, ct))
            {
                await RecordAsync(incident, kind, lifecycle, ct);
                return new TransitionResult(TransitionOutcome.Applied, incident, actor, channel, now);
            }
        }
    }

    /// <summary>
    /// The response after an acknowledgement or a resolution at <paramref name="at"/>. A milestone that would break the
    /// order (a person corrected a later one to before now) is left for a person to set by a correction.
    /// </summary>
    public static IncidentResponse Responded(IncidentResponse response, SignalKind kind, DateTimeOffset at, string? person, string? participant)
    {
        ArgumentNullException.ThrowIfNull(response);
        var stages = new StageState(response.Stage, response.StageEnteredAt);
        var stage = kind == SignalKind.Acknowledge ? StageMachine.Acknowledged(stages, at) : StageMachine.Resolved(stages, at);
        var milestone = kind == SignalKind.Acknowledge ? Milestone.Acknowledged : Milestone.Resolved;
        var next = response with
        {
            Stage = stage.State.Current,
            StageEnteredAt = stage.State.EnteredAt,
            Milestones = Milestones.Record(response.Milestones, milestone, at).Accepted ?? response.Milestones,
        };
        if (kind == SignalKind.Acknowledge && person is not null && RoleRules.CommanderOnAcknowledge(response.Roles, person, at) is { } commander)
        {
            next = (next with { Roles = commander.Holders }).WithParticipant(person);
        }

        return next.WithParticipant(participant);
    }

    /// <summary>
    /// The timeline event id of an acknowledgement or resolution. It derives from the transition's own time, stored on
    /// the incident row, so recording the same transition again is a no-op, and the orchestration, which reads the row,
    /// names the event it publishes for that transition by the same id.
    /// </summary>
    public static string EventIdOf(string type, DateTimeOffset at) => $"{type}-{at.UtcTicks}";

    /// <summary>Index, timeline and signal for the incident's current acknowledgement or resolution. Safe to repeat.</summary>
    async Task RecordAsync(IncidentEntity incident, SignalKind kind, IIncidentLifecycle? lifecycle, CancellationToken ct)
    {
        await incidents.IndexAsync(incident, ct);
        var (type, at, by, via, verb) = kind == SignalKind.Resolve
            ? (TimelineEventTypes.IncidentResolved, incident.ResolvedAt!.Value, incident.ResolvedBy!, incident.ResolvedVia ?? Channels.System, "Resolved")
            : (TimelineEventTypes.IncidentAcknowledged, incident.AcknowledgedAt!.Value, incident.AcknowledgedBy!, incident.AcknowledgedVia ?? Channels.System, "Acknowledged");

        await timeline.AppendAsync(incident.Id, new TimelineEvent(EventIdOf(type, at), at, type, by, via, $"{verb} by {by} via {via}{Why(incident, kind)}", Data(incident)), ct);
        if (lifecycle is not null)
        {
            await lifecycle.SignalAsync(incident.Id, new LifecycleSignal(kind, by, via, at), ct);
        }
    }

    /// <summary>A resolution that ends a declined incident says so: it is not an incident, rather than fixed.</summary>
    static string Why(IncidentEntity incident, SignalKind kind) => kind != SignalKind.Resolve ? string.Empty : incident.ResponseValue switch
    {
        { Stage: Stage.Declined } => ": declined, not an incident",
        { Stage: Stage.Merged, MergedInto: { } into } => $": merged into {into}",
        _ => string.Empty,
    };

    /// <summary>Where the response stands after the transition: its stage, and its commander when it has one.</summary>
    static Dictionary<string, string> Data(IncidentEntity incident)
    {
        var response = incident.ResponseValue;
        var data = new Dictionary<string, string> { ["stage"] = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(response.Stage.ToString()) };
        if (response.Commander is { } commander)
        {
            data["commander"] = commander;
        }

        return data;
    }
}
