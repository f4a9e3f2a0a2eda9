using System.Text.Json.Serialization;

namespace IncidentFunctions.Model;

/// <summary>
/// The people's side of an incident, next to its paging status: the stage of the response, its milestones, severity
/// history, category and visibility, who holds which role, who took part or was let in, what is pinned, which playbooks
/// were applied and when updates were last posted. Stored as one JSON column of the incident row, so that every change
/// of it is one write with the row's ETag; the API returns it as it is stored.
/// </summary>
public sealed record IncidentResponse
{
    public const string CommanderRole = "commander";

    static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoRoles = new Dictionary<string, IReadOnlyList<string>>();

    public Stage Stage { get; init; } = Stage.Triage;

    /// <summary>When the incident first entered each stage it has been in.</summary>
    public IReadOnlyDictionary<Stage, DateTimeOffset> StageEnteredAt { get; init; } = new Dictionary<Stage, DateTimeOffset>();

    public IReadOnlyDictionary<Milestone, DateTimeOffset> Milestones { get; init; } = new Dictionary<Milestone, DateTimeOffset>();

    /// <summary>Every severity change, oldest first; the severity before the first is the one the incident opened with.</summary>
    public IReadOnlyList<SeverityChange> SeverityChanges { get; init; } = [];

    /// <summary>The policy category (incident type); null until someone sets one.</summary>
    public string? Category { get; init; }

    public Visibility Visibility { get; init; } = Visibility.Standard;

    /// <summary>Role id to its holders (policy person ids), in the order they got it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; init; } = NoRoles;

    /// <summary>Everyone paged, acknowledging, assigned or writing: policy person ids, or the caller's key for a person the policy does not know.</summary>
    public IReadOnlyList<string> Participants { get; init; } = [];

    /// <summary>People let into a restricted incident without taking part (policy person ids).</summary>
    public IReadOnlyList<string> Grants { get; init; } = [];

    /// <summary>People who asked for the stakeholder updates of this incident (policy person ids).</summary>
    public IReadOnlyList<string> Subscribers { get; init; } = [];

    /// <summary>Set on a duplicate: the incident it was merged into.</summary>
    public string? MergedInto { get; init; }

    /// <summary>The duplicates merged into this incident.</summary>
    public IReadOnlyList<string> MergedFrom { get; init; } = [];

    /// <summary>Declared by a person (channel api) rather than opened by an alert.</summary>
    public bool Declared { get; init; }

    public string? Summary { get; init; }

    /// <summary>Ids of the timeline events pinned to the top of the incident.</summary>
    public IReadOnlyList<string> Pinned { get; init; } = [];

    /// <summary>The categories whose playbook tasks were created, in order: each playbook is applied once.</summary>
    public IReadOnlyList<string> PlaybooksApplied { get; init; } = [];

    public UpdateRecord InternalUpdates { get; init; } = UpdateRecord.None;

    public UpdateRecord StakeholderUpdates { get; init; } = UpdateRecord.None;

    /// <summary>The holder of the commander role, if any.</summary>
    public string? Commander => Roles.TryGetValue(CommanderRole, out var holders) && holders.Count > 0 ? holders[0] : null;

    /// <summary>What an incident opened by an alert starts with: in triage (paging is not held by it), detected when it opened.</summary>
    public static IncidentResponse ForAlert(DateTimeOffset openedAt) => new()
    {
        Stage = Stage.Triage,
        StageEnteredAt = new Dictionary<Stage, DateTimeOffset> { [Stage.Triage] = openedAt },
        Milestones = new Dictionary<Milestone, DateTimeOffset> { [Milestone.Detected] = openedAt },
    };

    /// <summary>Whether a person is a participant, adding them when not; the same record when they already are.</summary>
    public IncidentResponse WithParticipant(string? person) =>
        person is null || Participants.Contains(person, StringComparer.Ordinal) ? this : this with { Participants = [.. Participants, person] };

    public UpdateRecord UpdatesFor(UpdateAudience audience) => audience == UpdateAudience.Internal ? InternalUpdates : StakeholderUpdates;
}

/// <summary>
/// One change of an incident's severity, as its severity history keeps it: the priority it leads to, recomputed by the
/// same rule as triage. <see cref="From"/> equals <see cref="To"/> when the request changed nothing.
/// </summary>
public sealed record SeverityChange(DateTimeOffset At, Severity From, Severity To, Priority Priority, string Reason, string By)
{
    [JsonIgnore]
    public bool Changed => From != To;
}

/// <summary>
/// The last status update for one audience: when it was posted (null: none yet) and the next update time its writer
/// promised with it, if any.
/// </summary>
public sealed record UpdateRecord(DateTimeOffset? LastAt, DateTimeOffset? NextDueSetByWriter)
{
    public static readonly UpdateRecord None = new(null, null);
}
