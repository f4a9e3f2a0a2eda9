using System.Globalization;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Responding;

/// <summary>The timeline event an entry of the record was written as.</summary>
public sealed record RecordedEntry(TimelineEvent Event);

/// <summary>A posted status update, and when the next one for its audience is due (null: none is, at this stage and priority).</summary>
public sealed record PostedUpdate(TimelineEvent Event, UpdateDue? NextDue);

/// <summary>An entry's outcome: what the function answers, or the refusal to answer instead.</summary>
public sealed record RecordOutcome<T>(T? Value, Problem? Refusal, IncidentEntity? Incident = null)
    where T : class;

/// <summary>
/// What people write on an incident's record besides tasks: notes, status updates, decisions, pins. Each is a change of
/// the incident through the <see cref="IncidentEditor"/> (so on its timeline with actor and channel, the writer a
/// participant, the coordination told). Access first, then the body.
/// </summary>
public sealed class IncidentRecord(IncidentGate gate, IncidentEditor editor, TimelineStore timeline, PolicyProvider policy, TimeProvider time)
{
    /// <summary>More pins than this is no longer a short list of what matters.</summary>
    public const int MaxPins = 50;

    public async Task<RecordOutcome<RecordedEntry>> AddNoteAsync(Caller caller, string id, HttpRequest request, ICoordinationSignals coordination, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
        {
            return new(null, refused);
        }

        var (note, problem) = await RecordRequests.ReadAsync(request, (o, f) => RecordRequests.Note(o, f, time.GetUtcNow()), ct);
        if (note is null)
        {
            return new(null, problem);
        }

        var added = new ChangeNote(TimelineEventTypes.NoteAdded, Summary("Note", note.Body), new Dictionary<string, string> { ["body"] = note.Body }, OccurredAt: note.OccurredAt);
        if (RecordRequests.TooLargeToStore(added.Data!, "body") is { } tooLarge)
        {
            return new(null, tooLarge);
        }

        return Single(await editor.EditAsync(caller, Permission.Respond, id, null, (row, _) => new Change(row.ResponseValue, [added]), coordination, ct));
    }

    public async Task<RecordOutcome<RecordedEntry>> RecordDecisionAsync(Caller caller, string id, HttpRequest request, ICoordinationSignals coordination, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
        {
            return new(null, refused);
        }

        var people = policy.Current.People;
        var (decision, problem) = await RecordRequests.ReadAsync(request, (o, f) => RecordRequests.Decision(o, f, people), ct);
        if (decision is null)
        {
            return new(null, problem);
        }

        var note = DecisionNote(decision, decision.DecidedBy ?? caller.ParticipantId);
        if (RecordRequests.TooLargeToStore(note.Data!, "rationale") is { } tooLarge)
        {
            return new(null, tooLarge);
        }

        return Single(await editor.EditAsync(caller, Permission.Respond, id, null, (row, _) => new Change(row.ResponseValue, [note]), coordination, ct));
    }

    /// <summary>The decision.recorded event: the decision, why, the options weighed (one data entry each) and who decided.</summary>
    public static ChangeNote DecisionNote(DecisionRequest decision, string decidedBy)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["decision"] = decision.Decision, ["decidedBy"] = decidedBy };
        if (decision.Rationale is { } rationale)
        {
            data["rationale"] = rationale;
        }

        var options = decision.Options ?? [];
        for (var i = 0; i < options.Count; i++)
        {
            data[$"options.{i}"] = options[i];
        }

        return new ChangeNote(TimelineEventTypes.DecisionRecorded, Summary($"Decision by {decidedBy}", decision.Decision), data);
    }

    public async Task<RecordOutcome<PostedUpdate>> PostUpdateAsync(Caller caller, string id, HttpRequest request, ICoordinationSignals coordination, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
        {
            return new(null, refused);
        }

        var (update, problem) = await RecordRequests.ReadAsync(request, (o, f) => RecordRequests.Update(o, f, time.GetUtcNow()), ct);
        if (update is null)
        {
            return new(null, problem);
        }

        if (RecordRequests.TooLargeToStore(update.Body, "body") is { } tooLarge)
        {
            return new(null, tooLarge);
        }

        var edited = await editor.EditAsync(caller, Permission.Respond, id, null, (row, now) => PostUpdate(row.ResponseValue, update, now), coordination, ct);
        if (edited.Refusal is { } notEdited)
        {
            return new(null, notEdited);
        }

        var incident = edited.Incident!;
        var response = incident.ResponseValue;
        var next = UpdateCadence.Next(
            policy.Current.Response, incident.PriorityValue ?? Priority.P4, response.Stage, incident.OpenedAt, update.Audience, response.UpdatesFor(update.Audience), time.GetUtcNow());
        return new(new PostedUpdate(edited.Recorded[0], next), null, incident);
    }

    /// <summary>
    /// The response after an update to <see cref="UpdateRequest.Audience"/>: posted now, with the writer's promised next
    /// time (or none, and the protocol's cadence applies), and the update.posted event that carries its body to the
    /// delivery (<see cref="StatusUpdateDelivery"/>).
    /// </summary>
    public static Change PostUpdate(IncidentResponse response, UpdateRequest update, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(update);
        var record = new UpdateRecord(now, update.NextUpdateAt);
        var audience = update.Audience == UpdateAudience.Internal ? "internal" : "stakeholders";
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["audience"] = audience, ["body"] = update.Body };
        if (update.NextUpdateAt is { } next)
        {
            data["nextUpdateAt"] = next.ToString("O", CultureInfo.InvariantCulture);
        }

        return new Change(
            update.Audience == UpdateAudience.Internal ? response with { InternalUpdates = record } : response with { StakeholderUpdates = record },
            [new ChangeNote(TimelineEventTypes.UpdatePosted, Summary(update.Audience == UpdateAudience.Internal ? "Internal update" : "Stakeholder update", update.Body), data)]);
    }

    /// <summary>Pins (or unpins) a timeline event of the incident; it must be one of the incident's own events.</summary>
    public async Task<RecordOutcome<Incident>> PinAsync(Caller caller, string id, string eventId, bool pin, string? ifMatch, ICoordinationSignals coordination, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
        {
            return new(null, refused);
        }

        if (eventId.Length is 0 or > 256 || !await timeline.HasEventAsync(id, eventId, ct))
        {
            return new(null, Problem.Missing("Event", "event", eventId));
        }

        var edited = await editor.EditAsync(caller, Permission.Respond, id, ifMatch, (row, _) => Pin(row.ResponseValue, eventId, pin), coordination, ct);
        return edited.Refusal is { } notEdited ? new(null, notEdited) : new(edited.Incident!.ToIncident(), null, edited.Incident);
    }

    /// <summary>Pinning a pinned event, or unpinning one that is not, changes nothing.</summary>
    public static Decision<Change> Pin(IncidentResponse response, string eventId, bool pin)
    {
        ArgumentNullException.ThrowIfNull(response);
        var pinned = response.Pinned.Contains(eventId, StringComparer.Ordinal);
        if (pinned == pin)
        {
            return Change.Nothing(response);
        }

        if (pin && response.Pinned.Count >= MaxPins)
        {
            return new Refusal("event", $"at most {MaxPins} events can be pinned; unpin one first", Conflict: true);
        }

        var data = new Dictionary<string, string> { ["event"] = eventId };
        return pin
            ? new Change(response with { Pinned = [.. response.Pinned, eventId] }, [new ChangeNote(TimelineEventTypes.EventPinned, $"Pinned event {eventId}", data)])
            : new Change(response with { Pinned = [.. response.Pinned.Where(p => p != eventId)] }, [new ChangeNote(TimelineEventTypes.EventUnpinned, $"Unpinned event {eventId}", data)]);
    }

    /// <summary>A summary line: what it is, and the start of what the person wrote (the whole text is in the event's data).</summary>
    public static string Summary(string what, string text) => $"{what}: {TextLimits.Shorten(text.ReplaceLineEndings(" "), 200)}";

    static RecordOutcome<RecordedEntry> Single(Edited edited) =>
        edited.Refusal is { } refused ? new(null, refused) : new(new RecordedEntry(edited.Recorded[0]), null, edited.Incident);
}
