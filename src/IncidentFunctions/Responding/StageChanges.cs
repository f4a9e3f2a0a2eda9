using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;

namespace IncidentFunctions.Responding;

/// <summary>The body of <c>POST /api/incidents/{id}/stage</c>.</summary>
public sealed record StageRequest(Stage Stage, string? Reason = null);

/// <summary>The body of <c>POST /api/incidents/{id}/decline</c> (the reason is required) and <c>/close</c> (optional).</summary>
public sealed record ReasonRequest(string? Reason = null);

/// <summary>
/// Moving an incident through its stages, as <see cref="StageMachine"/> allows.
/// <list type="bullet">
/// <item>Review, closed, declined and merged are the commander's (<see cref="Permission.Command"/>, held by the
/// commander app role or the incident's own commander); the working stages any responder's.</item>
/// <item>Resolved is reached by resolving: through <see cref="IncidentResponder"/>, as an email link or the resolve route
/// does, so that paging stops and the status, stage and milestone move in one write.</item>
/// <item>Declined (not an incident) needs a reason and stops paging the same way, the resolution saying "declined".</item>
/// <item>Closed ends the response, from resolved or review only, recording the closed milestone.</item>
/// <item>Merged is the merge route's (it links the two incidents).</item>
/// </list>
/// </summary>
public sealed class StageChanges(IncidentEditor editor, IncidentGate gate, IncidentResponder responder)
{
    static readonly string[] StageProperties = ["stage", "reason"];
    static readonly string[] ReasonProperties = ["reason"];

    /// <summary>The stages only the commander moves an incident to.</summary>
    public static bool IsCommanders(Stage stage) => stage is Stage.Review or Stage.Closed or Stage.Declined or Stage.Merged;

    public async Task<Outcome> ChangeAsync(
        Caller caller, string id, string? ifMatch, JsonElement body, IIncidentLifecycle lifecycle, ICoordinationSignals coordination, CancellationToken ct)
    {
        var (request, refusal) = RequestFields.Read(body, StageProperties, (o, fields) => new StageRequest(
            RequestFields.Name<Stage>(fields, o, "stage", required: true) ?? default,
            RequestFields.Text(fields, o, "reason")));
        if (request is null)
        {
            return new(null, refusal);
        }

        return request.Stage switch
        {
            Stage.Merged => new(null, Problem.Validation([new("stage", $"an incident is merged through POST /{Routes.Prefix}/{Routes.IncidentMerge}, which names the incident it duplicates")])),
            Stage.Declined => await DeclineWithAsync(caller, id, ifMatch, request.Reason, lifecycle, coordination, ct),
            Stage.Closed => await CloseWithAsync(caller, id, ifMatch, request.Reason, coordination, ct),
            Stage.Resolved => await ResolveAsync(caller, id, ifMatch, lifecycle, ct),
            var to => Outcome(await editor.EditAsync(caller, IsCommanders(to) ? Permission.Command : Permission.Respond, id, ifMatch,
                (row, now) => Decide(row.ResponseValue, to, request.Reason, now), coordination, ct)),
        };
    }

    public Task<Outcome> DeclineAsync(
        Caller caller, string id, string? ifMatch, JsonElement body, IIncidentLifecycle lifecycle, ICoordinationSignals coordination, CancellationToken ct) =>
        WithReasonAsync(body, reason => DeclineWithAsync(caller, id, ifMatch, reason, lifecycle, coordination, ct));

    public Task<Outcome> CloseAsync(Caller caller, string id, string? ifMatch, JsonElement body, ICoordinationSignals coordination, CancellationToken ct) =>
        WithReasonAsync(body, reason => CloseWithAsync(caller, id, ifMatch, reason, coordination, ct));

    /// <summary>A move between stages the responders and the commander make (not resolved, declined, closed or merged).</summary>
    public static Decision<Change> Decide(IncidentResponse response, Stage to, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        var authority = IsCommanders(to) ? StageAuthority.Commander : StageAuthority.Responder;
        var decided = StageMachine.Change(new StageState(response.Stage, response.StageEnteredAt), to, authority, now);
        if (decided.Refused is { } refused)
        {
            return refused;
        }

        var change = decided.Accepted!;
        if (!change.Changed)
        {
            return Change.Nothing(response);
        }

        var next = response with { Stage = change.To, StageEnteredAt = change.State.EnteredAt };
        if (change.To == Stage.Mitigated)
        {
            // The first time it is mitigated; a milestone a person set (or corrected) earlier stands.
            next = next with { Milestones = Milestones.Record(next.Milestones, Milestone.Mitigated, now).Accepted ?? next.Milestones };
        }

        return new Change(next, [StageNote(TimelineEventTypes.StageChanged, $"Stage changed from {Name(change.From)} to {Name(change.To)}", change, reason, LifecycleEventKind.StageChanged)]);
    }

    /// <summary>Declined: not an incident. Needs a reason; from any active stage.</summary>
    public static Decision<Change> DecideDecline(IncidentResponse response, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (reason is null)
        {
            return new Refusal("reason", "declining needs a reason: why this is not an incident");
        }

        var decided = StageMachine.Change(new StageState(response.Stage, response.StageEnteredAt), Stage.Declined, StageAuthority.Commander, now);
        if (decided.Refused is { } refused)
        {
            return refused;
        }

        var change = decided.Accepted!;
        return change.Changed
            ? new Change(
                response with { Stage = change.To, StageEnteredAt = change.State.EnteredAt },
                [StageNote(TimelineEventTypes.IncidentDeclined, $"Declined (not an incident): {reason}", change, reason, LifecycleEventKind.StageChanged)])
            : Change.Nothing(response);
    }

    /// <summary>Closed: the response is over. From resolved or review; records the closed milestone.</summary>
    public static Decision<Change> DecideClose(IncidentResponse response, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        var decided = StageMachine.Change(new StageState(response.Stage, response.StageEnteredAt), Stage.Closed, StageAuthority.Commander, now);
        if (decided.Refused is { } refused)
        {
            return refused;
        }

        var change = decided.Accepted!;
        if (!change.Changed)
        {
            return Change.Nothing(response);
        }

        var next = response with
        {
            Stage = change.To,
            StageEnteredAt = change.State.EnteredAt,
            Milestones = Milestones.Record(response.Milestones, Milestone.Closed, now).Accepted ?? response.Milestones,
        };
        return new Change(next, [StageNote(TimelineEventTypes.IncidentClosed, reason is null ? "Closed" : $"Closed: {reason}", change, reason, LifecycleEventKind.Closed)]);
    }

    async Task<Outcome> DeclineWithAsync(
        Caller caller, string id, string? ifMatch, string? reason, IIncidentLifecycle lifecycle, ICoordinationSignals coordination, CancellationToken ct)
    {
        var edited = await editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, now) => DecideDecline(row.ResponseValue, reason, now), coordination, ct);
        if (edited.Incident is null)
        {
            return Outcome(edited);
        }

        // The stage says declined first, so the resolution that stops paging says why; a retry finds it declined and
        // resolves what is left.
        var resolved = await responder.ResolveAsync(id, caller.Name, Channels.Api, lifecycle, ct, participant: caller.ParticipantId);
        return new(resolved.Incident ?? edited.Incident, null);
    }

    async Task<Outcome> CloseWithAsync(Caller caller, string id, string? ifMatch, string? reason, ICoordinationSignals coordination, CancellationToken ct) =>
        Outcome(await editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, now) => DecideClose(row.ResponseValue, reason, now), coordination, ct));

    /// <summary>
    /// Resolved through the stage route: the stage machine says whether the incident may go there from where it is,
    /// then the responder resolves it as every other channel does.
    /// </summary>
    async Task<Outcome> ResolveAsync(Caller caller, string id, string? ifMatch, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var admitted = await gate.AdmitAsync(caller, Permission.Respond, id, ct);
        if (admitted.Refusal is { } refusal)
        {
            return new(null, refusal);
        }

        var incident = admitted.Incident!;
        if (ifMatch is not null && !IfMatch.Matches(ifMatch, incident.ETag))
        {
            return new(null, Problem.StaleETag(IfMatch.Header));
        }

        var response = incident.ResponseValue;
        if (StageMachine.Change(new StageState(response.Stage, response.StageEnteredAt), Stage.Resolved, StageAuthority.Responder, DateTimeOffset.MinValue).Refused is { } refused)
        {
            return new(null, IncidentEditor.ProblemOf(refused));
        }

        var resolved = await responder.ResolveAsync(id, caller.Name, Channels.Api, lifecycle, ct, participant: caller.ParticipantId);
        return new(resolved.Incident ?? incident, null);
    }

    static async Task<Outcome> WithReasonAsync(JsonElement body, Func<string?, Task<Outcome>> act)
    {
        var (request, refusal) = RequestFields.Read(body, ReasonProperties, (o, fields) => new ReasonRequest(RequestFields.Text(fields, o, "reason")));
        return request is null ? new(null, refusal) : await act(request.Reason);
    }

    static ChangeNote StageNote(string type, string summary, StageChange change, string? reason, LifecycleEventKind publish)
    {
        var data = new Dictionary<string, string> { ["stage"] = Name(change.To), ["previous"] = Name(change.From) };
        if (reason is not null)
        {
            data["reason"] = reason;
        }

        return new ChangeNote(type, reason is null || type != TimelineEventTypes.StageChanged ? summary : $"{summary}: {reason}", data, publish);
    }

    static Outcome Outcome(Edited edited) => new(edited.Incident, edited.Refusal);

    static string Name(Stage stage) => JsonNamingPolicy.CamelCase.ConvertName(stage.ToString());
}
