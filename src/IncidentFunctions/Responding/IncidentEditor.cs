using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Timeline;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>
/// One timeline event a change records. <see cref="Publish"/> names the lifecycle event it is, when it is one (stage
/// changed, severity changed, role assigned, merged, closed); <see cref="OccurredAt"/> is when it happened, when the
/// person said it was earlier than now.
/// </summary>
public sealed record ChangeNote(
    string Type,
    string Summary,
    IReadOnlyDictionary<string, string>? Data = null,
    LifecycleEventKind? Publish = null,
    DateTimeOffset? OccurredAt = null);

/// <summary>
/// What a person's change leads to: the response record after it, the events that record it (none: nothing changed, and
/// nothing is written), and any other column of the row it changes (severity and priority, title).
/// <see cref="CallerTakesPart"/> is false for a change that is not taking part in the response (subscribing to its
/// stakeholder updates): the caller does not become a participant with it.
/// </summary>
public sealed record Change(IncidentResponse Response, IReadOnlyList<ChangeNote> Notes, Action<IncidentEntity>? AlsoOnRow = null, bool CallerTakesPart = true)
{
    public static Change Nothing(IncidentResponse response) => new(response, []);
}

/// <summary>The incident after an edit and the events it recorded, or the refusal to answer instead.</summary>
public sealed record Edited(IncidentEntity? Incident, Problem? Refusal, IReadOnlyList<TimelineEvent> Recorded) : IIncidentOutcome
{
    public bool Changed => Recorded.Count > 0;
}

/// <summary>
/// The one way a person changes an incident: admit the caller, read the row, decide (a pure rule of Coordination),
/// write the row with its ETag, then record the change on the timeline and tell the incident's coordination.
/// <list type="bullet">
/// <item>With <c>If-Match</c>, a row changed since the caller read it is a 412 and nothing is written. Without it, a
/// write that loses a race reads and decides again, so a change is never decided on a state it did not see.</item>
/// <item>A refused change writes nothing. The caller becomes a participant with the change (unless it says otherwise).</item>
/// <item>The events' ids derive from the row's <see cref="IncidentEntity.Revision"/>, and the row keeps the last
/// change's events (<see cref="IncidentEntity.LastChange"/>): a crash after the row write leaves the events to be
/// recorded by the retry of the same request (which finds nothing left to change and records what is missing) or by the
/// coordination orchestration's next look, and recording them twice stores them once.</item>
/// </list>
/// </summary>
public sealed class IncidentEditor(IncidentStore incidents, IncidentGate gate, TimelineStore timeline, TimeProvider time)
{
    /// <summary>The actor of changes the app makes by itself (a playbook applied when a category is set).</summary>
    public const string SystemActor = "system";

    public Task<Edited> EditAsync(
        Caller caller,
        Permission permission,
        string id,
        string? ifMatch,
        Func<IncidentEntity, DateTimeOffset, Decision<Change>> decide,
        ICoordinationSignals coordination,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return EditAsync(new Editor(caller.Name, Channels.Api, caller.ParticipantId), () => gate.AdmitAsync(caller, permission, id, ct), ifMatch, decide, coordination, ct);
    }

    /// <summary>
    /// A change the app makes by itself, as a consequence of one a person made: the same read-decide-write and record,
    /// with actor <see cref="SystemActor"/> on channel system, nobody admitted and nobody made a participant.
    /// </summary>
    public Task<Edited> EditAsSystemAsync(
        string id,
        Func<IncidentEntity, DateTimeOffset, Decision<Change>> decide,
        ICoordinationSignals coordination,
        CancellationToken ct) =>
        EditAsync(
            new Editor(SystemActor, Channels.System, null),
            async () => await incidents.FindAsync(id, ct) is { } found ? new Admitted(found, null) : new Admitted(null, Problem.NotFound("Incident", id)),
            ifMatch: null,
            decide,
            coordination,
            ct);

    /// <summary>Who a change is recorded as made by, and who becomes a participant with it (nobody for the app itself).</summary>
    sealed record Editor(string Actor, string Channel, string? Participant);

    async Task<Edited> EditAsync(
        Editor editor,
        Func<Task<Admitted>> admit,
        string? ifMatch,
        Func<IncidentEntity, DateTimeOffset, Decision<Change>> decide,
        ICoordinationSignals coordination,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(decide);
        while (true)
        {
            var admitted = await admit();
            if (admitted.Refusal is { } refusal)
            {
                return new(null, refusal, []);
            }

            var incident = admitted.Incident!;
            if (ifMatch is not null && !IfMatch.Matches(ifMatch, incident.ETag))
            {
                return new(null, Problem.StaleETag(IfMatch.Header), []);
            }

            var now = time.GetUtcNow();
            var decision = decide(incident, now);
            if (decision.Refused is { } refused)
            {
                return new(null, ProblemOf(refused), []);
            }

            var change = decision.Accepted!;
            if (change.Notes.Count == 0)
            {
                await RecordLastChangeAsync(incident, coordination, ct);
                return new(incident, null, []);
            }

            var status = incident.Status;
            var revision = incident.Revision + 1;
            var recorded = change.Notes
                .Select((note, i) => new TimelineEvent(
                    $"r{revision}-{i + 1}", now, note.Type, editor.Actor, editor.Channel, note.Summary, note.Data, note.OccurredAt))
                .ToList();
            var before = (incident.ResponseValue, incident.Priority);
            incident.SetResponse(change.CallerTakesPart ? change.Response.WithParticipant(editor.Participant) : change.Response);
            change.AlsoOnRow?.Invoke(incident);
            incident.Revision = revision;
            var transitions = Transitions(change.Notes, recorded);
            var quiet = IsQuiet(recorded, transitions) && !ChangesReminders(before.ResponseValue, before.Priority, change.Response, incident.Priority);
            incident.LastChange = JsonSerializer.Serialize(new LastChange(recorded, transitions, quiet), JsonDefaults.Options);
            if (!quiet)
            {
                incident.RecentChanges = RecentChanges.With(incident.RecentChanges, new RecentChange(revision, now, transitions));
            }
            if (!await incidents.TryUpdateAsync(incident, ct))
            {
                if (ifMatch is not null)
                {
                    return new(null, Problem.StaleETag(IfMatch.Header), []);
                }

                continue;
            }

            // The listing shows the stage, commander, priority and who may see a restricted incident: re-index on every change.
            await incidents.IndexAsync(incident, ct, statusChanged: incident.Status != status);

            await RecordLastChangeAsync(incident, coordination, ct);
            return new(incident, null, recorded);
        }
    }

    /// <summary>
    /// Puts the row's last change on the timeline and hands it to the coordination. Safe to repeat. A declaration is
    /// the row's first change, recorded by this too.
    /// </summary>
    public async Task RecordLastChangeAsync(IncidentEntity incident, ICoordinationSignals coordination, CancellationToken ct)
    {
        if (incident.LastChange is null)
        {
            return;
        }

        var last = JsonSerializer.Deserialize<LastChange>(incident.LastChange, JsonDefaults.Options)!;
        await timeline.AppendManyAsync(incident.Id, last.Events, ct);
        if (!last.Quiet)
        {
            await coordination.ChangedAsync(new CoordinationChange(incident.Id, incident.Revision, last.Events, last.Transitions), ct);
        }
    }

    /// <summary>
    /// Entries that are only a record: no delivery sends anything for them, they are no lifecycle event, and no
    /// reminder depends on them (a note, a decision, evidence, a pin, a subscription, a grant, an edit of the title).
    /// The coordination is not woken for a change made only of these; every other type wakes it, so a type added later
    /// wakes it until it is listed here.
    /// </summary>
    static readonly HashSet<string> RecordOnly = new(StringComparer.Ordinal)
    {
        TimelineEventTypes.NoteAdded,
        TimelineEventTypes.DecisionRecorded,
        TimelineEventTypes.EvidenceAdded,
        TimelineEventTypes.EventPinned,
        TimelineEventTypes.EventUnpinned,
        TimelineEventTypes.Subscribed,
        TimelineEventTypes.Unsubscribed,
        TimelineEventTypes.AccessGranted,
        TimelineEventTypes.AccessRevoked,
        TimelineEventTypes.IncidentEdited,
    };

    public static bool IsQuiet(IReadOnlyList<TimelineEvent> recorded, IReadOnlyList<IncidentTransitionRef> transitions) =>
        transitions.Count == 0 && recorded.All(e => RecordOnly.Contains(e.Type));

    /// <summary>Whether a change touches what the reminders are planned from (<c>Reminders.Plan</c>): stage, roles, the last updates, priority.</summary>
    public static bool ChangesReminders(IncidentResponse before, string? priorityBefore, IncidentResponse after, string? priorityAfter) =>
        before.Stage != after.Stage
        || before.InternalUpdates != after.InternalUpdates
        || before.StakeholderUpdates != after.StakeholderUpdates
        || priorityBefore != priorityAfter
        || !SameHolders(before.Roles, after.Roles);

    static bool SameHolders(IReadOnlyDictionary<string, IReadOnlyList<string>> a, IReadOnlyDictionary<string, IReadOnlyList<string>> b) =>
        a.Count == b.Count && a.All(role => b.TryGetValue(role.Key, out var holders) && holders.SequenceEqual(role.Value, StringComparer.Ordinal));

    static IReadOnlyList<IncidentTransitionRef> Transitions(IReadOnlyList<ChangeNote> notes, IReadOnlyList<TimelineEvent> recorded) =>
        [.. notes.Zip(recorded).Where(p => p.First.Publish is not null).Select(p => new IncidentTransitionRef(p.Second.Id, p.First.Publish!.Value, p.Second.At, p.Second.Actor, p.Second.Channel))];

    public static Problem ProblemOf(Refusal refusal) =>
        refusal.Conflict ? Problem.Conflict(refusal.Field, refusal.Message) : Problem.Validation([new FieldError(refusal.Field, refusal.Message)]);
}

/// <summary>The events of the row's last change and the lifecycle events among them, kept on the row until the next change.</summary>
/// <see cref="Quiet"/>: nothing in it concerns the coordination (see <see cref="IncidentEditor.IsQuiet"/>).
public sealed record LastChange(IReadOnlyList<TimelineEvent> Events, IReadOnlyList<IncidentTransitionRef> Transitions, bool Quiet = false);

/// <summary>A lifecycle event to publish for a recorded timeline event.</summary>
public sealed record IncidentTransitionRef(string EventId, LifecycleEventKind Kind, DateTimeOffset At, string Actor, string Channel);

/// <summary>
/// A change of an incident's response, for its coordination: to deliver what its events ask for (see
/// <see cref="IChangeDelivery"/>), publish its lifecycle events and plan the reminders again.
/// </summary>
public sealed record CoordinationChange(string IncidentId, long Revision, IReadOnlyList<TimelineEvent> Events, IReadOnlyList<IncidentTransitionRef> Transitions);

/// <summary>
/// What a recorded change sends to people: the new holder of a role is emailed its instructions, added responders are
/// paged, a status update reaches its audience. Each feature registers one for its event types. The coordination
/// orchestration calls them from an activity, with retries, after the change is on the row and the timeline, so a
/// delivery is never lost to a crash of the request that made the change; it must therefore be safe to repeat (send
/// through <c>IncidentPager</c> with the event's id as the notification id: each recipient is emailed once).
/// </summary>
public interface IChangeDelivery
{
    /// <summary>Whether this delivers events of <paramref name="eventType"/>.</summary>
    bool Handles(string eventType);

    Task DeliverAsync(IncidentEntity incident, TimelineEvent recorded, CancellationToken ct);
}

/// <summary>
/// Tells an incident's coordination (its reminders and the lifecycle events of people's changes) that the incident
/// changed. The durable implementation starts or signals the <c>{id}:coordination</c> orchestration.
/// </summary>
public interface ICoordinationSignals
{
    Task ChangedAsync(CoordinationChange change, CancellationToken ct);
}
