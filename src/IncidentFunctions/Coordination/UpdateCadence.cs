using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Coordination;

/// <summary>When the next update for an audience is due, and whether that time has passed.</summary>
public sealed record UpdateDue(UpdateAudience Audience, DateTimeOffset DueAt, bool Overdue);

/// <summary>
/// The communication protocol: how often each audience must hear about an incident.
/// <list type="bullet">
/// <item>Updates are due only while the incident is investigating, identified or mitigated: in triage nobody has taken
/// it on yet (paging is what pushes it), and from resolved on the resolution is the last word.</item>
/// <item>The next update is due when the last update's writer said it would come; otherwise the protocol's minutes for
/// the audience and the current priority after the last update (after the opening, before the first). The writer's
/// time wins because it is what the readers were told to expect, later or earlier than the protocol.</item>
/// <item>A priority raised to one with a shorter interval can make an update overdue at once: the readers have not
/// heard for longer than the new priority allows.</item>
/// <item>An overdue update reminds the communications role's holders (the commander when nobody holds it); each later
/// reminder, every taskReminderMinutes, also goes to the commander; with neither role held, to the escalation's current
/// level.</item>
/// </list>
/// </summary>
public static class UpdateCadence
{
    public static bool IsDueIn(Stage stage) => stage is Stage.Investigating or Stage.Identified or Stage.Mitigated;

    /// <summary>The protocol's interval for an audience at a priority; null when the protocol sets none.</summary>
    public static TimeSpan? Interval(ResponsePolicy policy, Priority priority, UpdateAudience audience)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var cadence = policy.Communication(priority);
        var minutes = audience == UpdateAudience.Internal ? cadence.InternalMinutes : cadence.StakeholderMinutes;
        return minutes is { } m ? TimeSpan.FromMinutes(m) : null;
    }

    /// <summary>When the next update for <paramref name="audience"/> is due; null when none is.</summary>
    public static UpdateDue? Next(
        ResponsePolicy policy, Priority priority, Stage stage, DateTimeOffset openedAt, UpdateAudience audience, UpdateRecord last, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(last);
        if (!IsDueIn(stage))
        {
            return null;
        }

        var due = last.NextDueSetByWriter ?? (Interval(policy, priority, audience) is { } every ? (last.LastAt ?? openedAt) + every : null);
        return due is { } at ? new UpdateDue(audience, at, now > at) : null;
    }

    /// <summary>
    /// Who reminder number <paramref name="reminder"/> (0 for the first) of an overdue update goes to.
    /// </summary>
    public static ReminderTarget Target(IReadOnlyDictionary<string, IReadOnlyList<string>> holders, long reminder)
    {
        var communications = RoleRules.HoldersOf(holders, ResponsePolicy.Communications);
        var commander = RoleRules.HoldersOf(holders, ResponsePolicy.Commander);
        var people = reminder == 0 && communications.Count > 0 ? communications : communications.Concat(commander).Distinct(StringComparer.Ordinal).ToArray();
        return ReminderTarget.To(people);
    }
}
