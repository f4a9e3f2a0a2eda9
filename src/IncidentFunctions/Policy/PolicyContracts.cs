using System.Text.Json.Serialization;
using IncidentFunctions.Model;

namespace IncidentFunctions.Policy;

/// <summary>One escalation level with its targets expanded to people, and the wait before the next level.</summary>
public sealed record EscalationLevel(IReadOnlyList<Recipient> Recipients, double DelayMinutes);

/// <summary>
/// The escalation an incident follows, frozen when it is triaged: later edits of the policy file never change it.
/// The levels run once plus <see cref="Repeat"/> more times; then the whole <see cref="Team"/> is told once.
/// </summary>
public sealed record EscalationPlan(
    string PolicyId,
    IReadOnlyList<EscalationLevel> Levels,
    int Repeat,
    double? AckTimeoutMinutes,
    bool AutoResolve,
    IReadOnlyList<Recipient> Team,
    int MaxNotifications);

/// <summary>
/// What triage decided for an incident; <see cref="Route"/> names the rule that matched ("routes[2]" or "default").
/// <see cref="Maintenance"/> is the maintenance window the incident opened in, if any: it is not paged before the window ends.
/// <see cref="RequiredRolesWithinMinutes"/> is how long after opening unfilled required roles first remind (the
/// response policy's, for the priority), frozen with the escalation: nobody holds command of an incident still paging,
/// so its orchestration reminds the level it is paging.
/// </summary>
public sealed record TriageResult(
    string PolicyVersion,
    string ServiceId,
    string ServiceName,
    string TeamId,
    int ImpactTier,
    Priority Priority,
    string Route,
    EscalationPlan Escalation,
    MaintenanceWindow? Maintenance = null,
    double? RequiredRolesWithinMinutes = null);

/// <summary>A planned period in which matching incidents are recorded but not paged.</summary>
public sealed record MaintenanceWindow(string Id, string? Reason, DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// What routing looks at; <see cref="At"/> (when the incident opened) decides which maintenance windows apply.
/// <see cref="Service"/> is set for an incident a person declared for that service: routing is not asked.
/// </summary>
public sealed record TriageInput(string Integration, IReadOnlyDictionary<string, string> Labels, Severity Severity, DateTimeOffset At, string? Service = null);
