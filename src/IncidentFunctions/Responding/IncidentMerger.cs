using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>Merge this incident, a duplicate, into the incident <see cref="Into"/>.</summary>
public sealed record MergeIncidentRequest(string Into, string? Reason = null) : IChangeRequest<MergeIncidentRequest>
{
    public const int MaxReasonLength = 2000;
    const int MaxIdLength = 64;
    static readonly string[] Properties = ["into", "reason"];

    public static MergeIncidentRequest? Read(JsonElement body, FieldReader fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.StrictObject(body, string.Empty, Properties))
        {
            return null;
        }

        var into = fields.RequiredString(body, string.Empty, "into", MaxIdLength);
        var reason = fields.OptionalString(body, string.Empty, "reason", MaxReasonLength, allowBlank: false);
        return fields.Count > 0 ? null : new(into!, reason);
    }
}

/// <summary>
/// Merges a duplicate incident into another. The duplicate (the source) becomes <see cref="Stage.Merged"/> with a link
/// to the target, is resolved so that its escalation stops, and its dedup keys feed the target from then on (alert
/// processing follows <see cref="IncidentResponse.MergedInto"/>); the target lists it in
/// <see cref="IncidentResponse.MergedFrom"/> and says so on its own timeline.
/// <para>
/// Three writes, in the order that leaves nothing misleading after a crash: the source first (from then on its alerts
/// count into the target, which is what the merge means), then its resolution, then the target. A crash in between
/// leaves a source that says where it went and a target that does not list it yet, never a target claiming a duplicate
/// that still pages; the retry of the request finds the source merged into the same target, changes nothing there, and
/// finishes the rest.
/// </para>
/// </summary>
public sealed class IncidentMerger(IncidentEditor editor, IncidentGate gate, IncidentResponder responder)
{
    public async Task<Edited> MergeAsync(
        Caller caller, string id, string? ifMatch, MergeIncidentRequest request, ICoordinationSignals coordination, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        if (string.Equals(request.Into, id, StringComparison.OrdinalIgnoreCase))
        {
            return Refused(new Refusal("into", "is this incident; name the incident it duplicates"));
        }

        var target = await gate.AdmitAsync(caller, Permission.Command, request.Into, ct);
        if (target.Refusal is { } refusal)
        {
            // A target the caller may not see is, to them, one that does not exist; either way the request's field is wrong.
            return refusal.Status == Microsoft.AspNetCore.Http.StatusCodes.Status404NotFound
                ? Refused(new Refusal("into", $"no incident '{request.Into}' that you can see"))
                : new(null, refusal, []);
        }

        var into = target.Incident!;
        if (CheckTarget(into.ResponseValue, id) is { } unfit)
        {
            return Refused(unfit);
        }

        var source = await editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, now) => DecideSource(row.ResponseValue, into.Id, request.Reason, now), coordination, ct);
        if (source.Refusal is not null)
        {
            return source;
        }

        var resolved = await responder.ResolveAsync(id, caller.Name, Channels.Api, lifecycle, ct);
        var marked = await editor.EditAsync(caller, Permission.Command, into.Id, null, (row, _) => DecideTarget(row.ResponseValue, id, request.Reason), coordination, ct);
        if (marked.Refusal is not null)
        {
            return marked;
        }

        return source with { Incident = resolved.Incident ?? source.Incident };
    }

    /// <summary>Why an incident cannot take a duplicate: it is itself merged, declined or closed (409 naming <c>into</c>).</summary>
    public static Refusal? CheckTarget(IncidentResponse target, string sourceId)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.MergedInto is { } further)
        {
            return new Refusal("into", $"is itself merged into {further}; merge into that one", Conflict: true);
        }

        return StageMachine.IsFinal(target.Stage) && !target.MergedFrom.Contains(sourceId, StringComparer.Ordinal)
            ? new Refusal("into", $"is {Wording.Of(target.Stage)}; an incident that is over takes no duplicates", Conflict: true)
            : null;
    }

    /// <summary>The source becomes merged (a commander's side exit of <see cref="StageMachine"/>); merged into the same target already: nothing left to do.</summary>
    public static Decision<Change> DecideSource(IncidentResponse source, string into, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.MergedInto == into)
        {
            return Change.Nothing(source);
        }

        if (source.MergedInto is { } other)
        {
            return new Refusal("stage", $"the incident is already merged into {other}", Conflict: true);
        }

        var moved = StageMachine.Change(new StageState(source.Stage, source.StageEnteredAt), Stage.Merged, StageAuthority.Commander, now);
        if (moved.Refused is { } refused)
        {
            return refused with { Conflict = true };
        }

        var data = new Dictionary<string, string> { ["into"] = into, ["from"] = Wording.Of(source.Stage), ["reason"] = reason ?? string.Empty };
        var state = moved.Accepted!.State;
        return new Change(
            source with { Stage = state.Current, StageEnteredAt = state.EnteredAt, MergedInto = into },
            [new ChangeNote(
                TimelineEventTypes.IncidentMerged,
                $"Merged into {into} as a duplicate{(reason is null ? string.Empty : $": {reason}")}. Its alerts count there from now on, and its escalation stops",
                data,
                LifecycleEventKind.Merged)]);
    }

    /// <summary>The target lists the duplicate once.</summary>
    public static Decision<Change> DecideTarget(IncidentResponse target, string sourceId, string? reason)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.MergedFrom.Contains(sourceId, StringComparer.Ordinal))
        {
            return Change.Nothing(target);
        }

        return new Change(
            target with { MergedFrom = [.. target.MergedFrom, sourceId] },
            [new ChangeNote(
                TimelineEventTypes.DuplicateMerged,
                $"{sourceId} merged into this incident as a duplicate{(reason is null ? string.Empty : $": {reason}")}",
                new Dictionary<string, string> { ["source"] = sourceId, ["reason"] = reason ?? string.Empty })]);
    }

    static Edited Refused(Refusal refusal) => new(null, IncidentEditor.ProblemOf(refusal), []);
}
