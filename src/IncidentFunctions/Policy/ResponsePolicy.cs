using IncidentFunctions.Model;

namespace IncidentFunctions.Policy;

/// <summary>
/// What the policy says about coordinating a response: the incident roles, the categories with their playbooks, how
/// often updates are due per priority, who the stakeholders are, and how often an overdue task reminds. Every section is
/// optional in the file; <see cref="Default"/> is what a policy without any of them gets.
/// </summary>
public sealed class ResponsePolicy
{
    /// <summary>The one role every incident has: required, one holder, whether or not the file lists it.</summary>
    public const string Commander = "commander";

    /// <summary>The role update reminders go to first, when the policy has it.</summary>
    public const string Communications = "communications";

    public const double DefaultTaskReminderMinutes = 15;

    /// <summary>
    /// The stages an incident may start in. Later ones (mitigated, resolved...) are reached by the response, and are
    /// recorded with their time when they happen, not assumed at the start.
    /// </summary>
    public static readonly IReadOnlyList<Stage> InitialStages = [Stage.Triage, Stage.Investigating, Stage.Identified];

    /// <summary>Where a declared incident of no category, or of a category that names none, starts.</summary>
    public const Stage DefaultInitialStage = Stage.Investigating;

    public static readonly IncidentRole DefaultCommander = new(
        Commander, "Incident commander",
        "Lead the response: keep the roles filled, decide, and move the incident through its stages.", Required: true, Multiple: false);

    /// <summary>The roles of a policy that lists none.</summary>
    public static readonly IReadOnlyList<IncidentRole> DefaultRoles =
    [
        DefaultCommander,
        new(Communications, "Communications lead", "Post internal and stakeholder updates when they are due.", Required: true, Multiple: false),
        new("scribe", "Scribe", "Keep the timeline: notes, decisions and evidence as they happen.", Required: false, Multiple: true),
    ];

    /// <summary>The cadence of a policy without a communication section, and of each priority such a section leaves out.</summary>
    public static readonly IReadOnlyDictionary<Priority, CommunicationCadence> DefaultCommunication = new Dictionary<Priority, CommunicationCadence>
    {
        [Priority.P1] = new(InternalMinutes: 30, StakeholderMinutes: 60, RequiredRolesWithinMinutes: 10),
        [Priority.P2] = new(InternalMinutes: 60, StakeholderMinutes: 120, RequiredRolesWithinMinutes: 30),
        [Priority.P3] = new(InternalMinutes: 240, StakeholderMinutes: null, RequiredRolesWithinMinutes: 60),
        [Priority.P4] = new(InternalMinutes: null, StakeholderMinutes: null, RequiredRolesWithinMinutes: null),
    };

    public static readonly ResponsePolicy Default = new(DefaultRoles, [], DefaultCommunication, [], DefaultTaskReminderMinutes);

    readonly Dictionary<string, IncidentRole> roles;
    readonly Dictionary<string, IncidentCategory> categories;
    readonly IReadOnlyDictionary<Priority, CommunicationCadence> communication;
    readonly IReadOnlyList<StakeholderRule> stakeholders;

    internal ResponsePolicy(
        IReadOnlyList<IncidentRole> roles,
        IReadOnlyList<IncidentCategory> categories,
        IReadOnlyDictionary<Priority, CommunicationCadence> communication,
        IReadOnlyList<StakeholderRule> stakeholders,
        double taskReminderMinutes)
    {
        Roles = roles;
        Categories = categories;
        this.roles = roles.ToDictionary(r => r.Id, StringComparer.Ordinal);
        this.categories = categories.ToDictionary(c => c.Id, StringComparer.Ordinal);
        this.communication = communication;
        this.stakeholders = stakeholders;
        TaskReminderMinutes = taskReminderMinutes;
    }

    /// <summary>The incident roles in file order, the commander first when the file did not list it.</summary>
    public IReadOnlyList<IncidentRole> Roles { get; }

    public IReadOnlyList<IncidentCategory> Categories { get; }

    /// <summary>How often an overdue task, an overdue update or an unfilled required role reminds again.</summary>
    public double TaskReminderMinutes { get; }

    public IncidentRole? Role(string id) => roles.GetValueOrDefault(id);

    public IncidentCategory? Category(string id) => categories.GetValueOrDefault(id);

    public CommunicationCadence Communication(Priority priority) => communication[priority];

    /// <summary>
    /// Who is told of stakeholder updates for an incident of this service and priority: the targets of every rule that
    /// lists both (a rule that lists no services or no priorities accepts any), each address once, in file order.
    /// </summary>
    public IReadOnlyList<Stakeholder> StakeholdersFor(string serviceId, Priority priority) =>
        stakeholders
            .Where(rule => (rule.Services.Count == 0 || rule.Services.Contains(serviceId)) && (rule.Priorities.Count == 0 || rule.Priorities.Contains(priority)))
            .SelectMany(rule => rule.Targets)
            .DistinctBy(s => s.Email, StringComparer.OrdinalIgnoreCase)
            .ToArray();
}

/// <summary>A role in a response. <see cref="Multiple"/>: several people hold it at once (otherwise a hand-off replaces the holder).</summary>
public sealed record IncidentRole(string Id, string Name, string? Instructions, bool Required, bool Multiple);

/// <summary>A kind of incident: who may see it by default, where it starts, and the tasks its playbook creates.</summary>
public sealed record IncidentCategory(
    string Id, string Name, string? Description, Visibility Visibility, Stage InitialStage, IReadOnlyList<PlaybookStep> Playbook);

/// <summary>A task a playbook creates, due <see cref="DueMinutes"/> after the category is set (no due time when null).</summary>
public sealed record PlaybookStep(
    string Title, string? Description, TaskAssignee? Assignee, TaskPriority Priority, double? DueMinutes, bool Required, string? Link);

/// <summary>Minutes between updates for each audience, and within which required roles must be filled; null: never due.</summary>
public sealed record CommunicationCadence(double? InternalMinutes, double? StakeholderMinutes, double? RequiredRolesWithinMinutes);

/// <summary>An address stakeholder updates go to; <see cref="PersonId"/> when the policy names a person (directly or by team).</summary>
public sealed record Stakeholder(string Email, string Name, string? PersonId);

/// <summary>One stakeholders entry: who is told for incidents of these services (any when empty) and priorities (any when empty).</summary>
internal sealed record StakeholderRule(IReadOnlySet<string> Services, IReadOnlySet<Priority> Priorities, IReadOnlyList<Stakeholder> Targets);
