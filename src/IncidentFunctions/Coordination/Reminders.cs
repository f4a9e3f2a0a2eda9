using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Coordination;

/// <summary>A task as reminders see it.</summary>
public sealed record CoordinationTask(string Id, TaskAssignee? Assignee, IncidentTaskStatus Status, DateTimeOffset? DueAt);

/// <summary>
/// What the coordination reminders depend on, read from the incident row and its tasks. <see cref="Roles"/> maps a role
/// id to its holders (policy person ids).
/// </summary>
public sealed record CoordinationState(
    string IncidentId,
    DateTimeOffset OpenedAt,
    Priority Priority,
    Stage Stage,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Roles,
    IReadOnlyList<CoordinationTask> Tasks,
    UpdateRecord InternalUpdates,
    UpdateRecord StakeholderUpdates);

public enum ReminderKind
{
    /// <summary>Required roles nobody holds; the subject lists them.</summary>
    RequiredRoles,

    /// <summary>A task past its due time; the subject is the task id.</summary>
    TaskOverdue,

    /// <summary>An update past its due time; the subject is the audience.</summary>
    UpdateOverdue,
}

/// <summary>
/// Who a reminder goes to: policy person ids, or, when the incident has nobody to hold responsible yet, the people its
/// escalation is paging at the moment (which only the paging orchestration knows).
/// </summary>
public sealed record ReminderTarget(IReadOnlyList<string> People, bool CurrentEscalationLevel)
{
    public static ReminderTarget To(IReadOnlyList<string> people) => people.Count > 0 ? new(people, false) : new([], true);
}

/// <summary>
/// A reminder to send now. <see cref="DedupeId"/> is derived from the incident, kind, subject and due time alone, so
/// deciding again (a replay, a retried activity, a wake-up for another reason) names the same reminder, and a sender
/// that claims the id sends it once.
/// </summary>
public sealed record Reminder(ReminderKind Kind, string Subject, DateTimeOffset DueAt, ReminderTarget Target, string DedupeId);

/// <summary>The reminders due now, and when to look again (null: nothing will come due unless the state changes).</summary>
public sealed record ReminderPlan(IReadOnlyList<Reminder> DueNow, DateTimeOffset? NextAt);

/// <summary>
/// Every coordination reminder of an incident, from its state and the time alone. Each reminder is a series: first at
/// its due time, then every taskReminderMinutes while the cause lasts and the incident is active. Only the latest slot
/// of each series that has come is due now: an orchestration that wakes late sends one reminder, not one per missed
/// slot. Slots at or before <c>since</c> (the previous evaluation) are not repeated.
/// </summary>
public static class Reminders
{
    public static ReminderPlan Plan(CoordinationState state, ResponsePolicy policy, DateTimeOffset now, DateTimeOffset? since = null) =>
        PlanOf(state, policy, now, since, rolesOnly: false);

    /// <summary>
    /// The unfilled required roles' series alone, for an incident nobody has acknowledged: its paging orchestration
    /// reminds the level it pages (the same slots and dedupe ids the coordination would use), and nothing else is
    /// reminded before someone takes the incident on.
    /// </summary>
    public static ReminderPlan RequiredRoles(CoordinationState state, ResponsePolicy policy, DateTimeOffset now) =>
        PlanOf(state, policy, now, since: null, rolesOnly: true);

    static (string Subject, DateTimeOffset Start, ReminderTarget Target)? RequiredRolesSeries(CoordinationState state, ResponsePolicy policy)
    {
        var unfilled = RoleRules.UnfilledRequired(policy, state.Roles);
        return unfilled.Count > 0 && RoleRules.RequiredRolesDueAt(policy, state.Priority, state.OpenedAt) is { } due
            ? (string.Join(",", unfilled.Select(r => r.Id)), due, ReminderTarget.To(RoleRules.HoldersOf(state.Roles, ResponsePolicy.Commander)))
            : null;
    }

    static ReminderPlan PlanOf(CoordinationState state, ResponsePolicy policy, DateTimeOffset now, DateTimeOffset? since, bool rolesOnly)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        if (!StageMachine.IsActive(state.Stage))
        {
            return new ReminderPlan([], null);
        }

        var every = TimeSpan.FromMinutes(policy.TaskReminderMinutes);
        var dueNow = new List<Reminder>();
        DateTimeOffset? nextAt = null;

        void Series(ReminderKind kind, string subject, DateTimeOffset start, Func<long, ReminderTarget> target)
        {
            var slots = new ReminderSlots(start, every);
            if (slots.LastAtOrBefore(now) is { } slot && (since is null || slot.At > since))
            {
                dueNow.Add(new Reminder(kind, subject, slot.At, target(slot.Number), DedupeId(state.IncidentId, kind, subject, slot.At)));
            }

            var next = slots.NextAfter(now);
            nextAt = nextAt is { } earliest && earliest <= next ? earliest : next;
        }

        if (RequiredRolesSeries(state, policy) is { } roles)
        {
            Series(ReminderKind.RequiredRoles, roles.Subject, roles.Start, _ => roles.Target);
        }

        if (rolesOnly)
        {
            return new ReminderPlan(dueNow, nextAt);
        }

        foreach (var task in state.Tasks.Where(t => t.DueAt is not null && !TaskRules.IsFinished(t.Status)))
        {
            var target = TaskTarget(state.Roles, task.Assignee);
            Series(ReminderKind.TaskOverdue, task.Id, task.DueAt!.Value, _ => target);
        }

        foreach (var (audience, last) in new[] { (UpdateAudience.Internal, state.InternalUpdates), (UpdateAudience.Stakeholders, state.StakeholderUpdates) })
        {
            if (UpdateCadence.Next(policy, state.Priority, state.Stage, state.OpenedAt, audience, last, now) is { } due)
            {
                Series(ReminderKind.UpdateOverdue, Wording.Of(audience), due.DueAt, number => UpdateCadence.Target(state.Roles, number));
            }
        }

        return new ReminderPlan(dueNow, nextAt);
    }

    /// <summary>
    /// A task reminds its assignee: the person, or the role's holders; a role nobody holds, or no assignee, reminds the
    /// commander, and without one the escalation's current level.
    /// </summary>
    public static ReminderTarget TaskTarget(IReadOnlyDictionary<string, IReadOnlyList<string>> roles, TaskAssignee? assignee)
    {
        if (assignee?.Person is { } person)
        {
            return ReminderTarget.To([person]);
        }

        var holders = assignee?.Role is { } role ? RoleRules.HoldersOf(roles, role) : [];
        return ReminderTarget.To(holders.Count > 0 ? holders : RoleRules.HoldersOf(roles, ResponsePolicy.Commander));
    }

    /// <summary>32 hex digits of SHA-256 over the four parts: fixed length, and safe in a table key whatever the ids hold.</summary>
    public static string DedupeId(string incidentId, ReminderKind kind, string subject, DateTimeOffset dueAt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{incidentId}\n{kind}\n{subject}\n{dueAt.UtcTicks}")))[..32];
}
