using IncidentFunctions.Model;

namespace IncidentFunctions.Coordination;

/// <summary>A correction of one milestone, as the timeline records it, with the milestones it leads to.</summary>
public sealed record MilestoneCorrection(
    Milestone Milestone,
    DateTimeOffset? Old,
    DateTimeOffset New,
    string Reason,
    string By,
    DateTimeOffset At,
    IReadOnlyDictionary<Milestone, DateTimeOffset> Milestones);

/// <summary>
/// The incident's milestones and their order: impact started &lt;= detected &lt;= acknowledged &lt;= mitigated &lt;=
/// resolved &lt;= closed, among those that are set. Every change keeps that order or is refused, naming the milestone.
/// </summary>
public static class Milestones
{
    /// <summary>
    /// Milestones that record an event of the incident itself (someone acknowledged, it resolved, it closed): a correction
    /// may move them, but only the event sets them. The others may be set by a person at any time.
    /// </summary>
    static readonly Milestone[] SetOnlyByTheirEvent = [Milestone.Acknowledged, Milestone.Resolved, Milestone.Closed];

    public static string Field(Milestone milestone) => $"milestones.{Wording.Of(milestone)}";

    /// <summary>
    /// Records a milestone as it happens (acknowledged when someone acknowledges, mitigated when the stage first becomes
    /// mitigated...). The first time stands: a second acknowledgement after a re-trigger keeps the first. Refused when
    /// it would break the order, for example acknowledged after a mitigated time a person set earlier; the caller then
    /// leaves the milestone unset and a person can set it by a correction.
    /// </summary>
    public static Decision<IReadOnlyDictionary<Milestone, DateTimeOffset>> Record(
        IReadOnlyDictionary<Milestone, DateTimeOffset> milestones, Milestone milestone, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        // Written out: a conversion from an interface type is never implicit in C#.
        if (milestones.ContainsKey(milestone))
        {
            return new Decision<IReadOnlyDictionary<Milestone, DateTimeOffset>>(milestones, null);
        }

        return OutOfOrder(milestones, milestone, at) is { } refusal
            ? refusal
            : new Decision<IReadOnlyDictionary<Milestone, DateTimeOffset>>(With(milestones, milestone, at), null);
    }

    /// <summary>
    /// A person's correction. Needs a reason; the new time may not be in the future, must keep the order, and must differ
    /// from the old one. Acknowledged, resolved and closed can be corrected only once their event has happened. Breaking
    /// the order, or correcting what has not happened, is a conflict with the incident's record (409); a time in the
    /// future or no reason is a bad request (400).
    /// </summary>
    public static Decision<MilestoneCorrection> Correct(
        IReadOnlyDictionary<Milestone, DateTimeOffset> milestones, Milestone milestone, DateTimeOffset value, string? reason, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        if (string.IsNullOrWhiteSpace(reason))
        {
            return new Refusal("reason", "a correction needs a reason");
        }

        var field = Field(milestone);
        var old = milestones.TryGetValue(milestone, out var set) ? set : (DateTimeOffset?)null;
        if (old is null && SetOnlyByTheirEvent.Contains(milestone))
        {
            return new Refusal(field, $"the incident has not been {Wording.Of(milestone)} yet; this milestone is set when that happens, and can be corrected afterwards", Conflict: true);
        }

        if (value > now)
        {
            return new Refusal(field, "cannot be in the future");
        }

        if (old == value)
        {
            return new Refusal(field, $"is already {value:O}");
        }

        return OutOfOrder(milestones, milestone, value) is { } refusal
            ? refusal
            : new MilestoneCorrection(milestone, old, value, reason.Trim(), by, now, With(milestones, milestone, value));
    }

    /// <summary>Null when <paramref name="value"/> fits between the nearest set milestones before and after it.</summary>
    static Refusal? OutOfOrder(IReadOnlyDictionary<Milestone, DateTimeOffset> milestones, Milestone milestone, DateTimeOffset value)
    {
        var before = milestones.Where(m => m.Key < milestone).OrderBy(m => m.Key).Select(m => (KeyValuePair<Milestone, DateTimeOffset>?)m).LastOrDefault();
        var after = milestones.Where(m => m.Key > milestone).OrderBy(m => m.Key).Select(m => (KeyValuePair<Milestone, DateTimeOffset>?)m).FirstOrDefault();
        if (!(value < before?.Value) && !(value > after?.Value))
        {
            return null;
        }

        var bounds = new List<string>();
        if (before is { } earlier)
        {
            bounds.Add($"at or after {Wording.Of(earlier.Key)} ({earlier.Value:O})");
        }

        if (after is { } later)
        {
            bounds.Add($"at or before {Wording.Of(later.Key)} ({later.Value:O})");
        }

        return new Refusal(Field(milestone), $"must be {string.Join(" and ", bounds)}", Conflict: true);
    }

    static Dictionary<Milestone, DateTimeOffset> With(IReadOnlyDictionary<Milestone, DateTimeOffset> milestones, Milestone milestone, DateTimeOffset at) =>
        new(milestones) { [milestone] = at };
}
