using IncidentFunctions.LifecycleEvents;

namespace IncidentFunctions.Responding;

/// <summary>
/// The input of an incident's coordination run (instance id <c>{incidentId}:coordination</c>).
/// <see cref="Changes"/> are to be delivered first: the change that started the run, or those a previous execution took
/// in and handed on with ContinueAsNew. <see cref="Since"/> is when reminders were last planned (slots at or before it
/// are not sent again). <see cref="Revision"/> is the orchestration code's revision the run was started under, so a
/// later change of the orchestration can keep replaying runs in flight as they were written.
/// </summary>
/// <param name="StartedAt">When the run first began (kept across continue-as-new): changes recorded shortly before it may have been signalled while it was being created, and lost.</param>
public sealed record CoordinationInput(
    string IncidentId,
    int Revision,
    DeliveredRevisions Delivered,
    DateTimeOffset? Since,
    IReadOnlyList<CoordinationChange> Changes,
    DateTimeOffset? StartedAt = null)
{
    /// <summary>1: the first revision.</summary>
    public const int Current = 1;

    public static CoordinationInput Start(CoordinationChange change) =>
        new(change.IncidentId, Current, DeliveredRevisions.None, Since: null, Changes: [change]);
}

/// <summary>
/// The revisions of the incident row whose change a run has delivered: every one up to <see cref="Floor"/>, and the few
/// above it in <see cref="Above"/>. Changes may arrive out of order (two people editing at once signal in either order),
/// so a later revision does not mean the earlier ones were delivered; keeping the last few is enough for that, and
/// keeps the run's input small however long the incident lasts.
/// </summary>
public sealed record DeliveredRevisions(long Floor, IReadOnlyList<long> Above)
{
    /// <summary>Far more changes than can be in flight at once for one incident.</summary>
    public const int Kept = 32;

    public static readonly DeliveredRevisions None = new(0, []);

    public bool Contains(long revision) => revision <= Floor || Above.Contains(revision);

    public DeliveredRevisions With(long revision)
    {
        if (Contains(revision))
        {
            return this;
        }

        var above = Above.Append(revision).Order().ToList();
        var floor = Floor;
        while (above.Count > Kept || above.Count > 0 && above[0] == floor + 1)
        {
            floor = Math.Max(floor, above[0]);
            above.RemoveAt(0);
        }

        return new DeliveredRevisions(floor, above);
    }
}

/// <summary>
/// Plan and send the reminders due: <see cref="Since"/> is when they were planned last; <see cref="TimerDueAt"/> is
/// when the timer that woke the run was due (it may have fired a little early: the activity waits out the rest).
/// <see cref="Delivered"/> lets the activity hand back the row's last change when the run has not delivered it.
/// </summary>
/// <param name="MissedSince">The run's changes recorded since then that it has not delivered are handed back (see <see cref="RecentChanges"/>); null: only the row's last change.</param>
public sealed record RemindRequest(string IncidentId, DeliveredRevisions Delivered, DateTimeOffset? Since, DateTimeOffset? TimerDueAt, DateTimeOffset? MissedSince = null);

/// <summary>
/// One look at the incident: when the reminders were planned, when the next comes due (null: none unless something
/// changes), whether the incident's stage is final (then the run ends), the changes the run has not delivered although
/// they are recorded (their signals were lost: <see cref="MissedChanges"/>, oldest first; runs begun before it was
/// added have the last one in <see cref="Missed"/>), and how lifecycle events are published now (null: off).
/// </summary>
public sealed record CoordinationRound(
    DateTimeOffset PlannedAt,
    DateTimeOffset? NextAt,
    bool Final,
    CoordinationChange? Missed,
    EventPublishingPlan? Events,
    int RemindersSent,
    IReadOnlyList<CoordinationChange>? MissedChanges = null);

/// <summary>The coordination run's custom status: when it next looks, and what it has delivered.</summary>
public sealed record CoordinationStatus(DateTimeOffset? NextAt, DeliveredRevisions Delivered, DateTimeOffset? PlannedAt);
