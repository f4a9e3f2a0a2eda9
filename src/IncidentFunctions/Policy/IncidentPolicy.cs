using IncidentFunctions.Model;

namespace IncidentFunctions.Policy;

/// <summary>
/// A validated policy, ready to triage. Only <see cref="PolicyParser"/> builds one, after resolving every reference,
/// so triage itself cannot fail on a policy mistake.
/// </summary>
public sealed class IncidentPolicy
{
    /// <summary>What triage records as the route of an incident a person declared for a service they named.</summary>
    public const string DeclaredRoute = "declared";

    readonly IReadOnlyList<PolicyRoute> routes;
    readonly IReadOnlyDictionary<string, ServicePlan> services;
    readonly ServicePlan defaultService;
    readonly IReadOnlyList<PolicyMaintenance> maintenance;

    internal IncidentPolicy(
        string version, string source, PolicyCounts counts, IReadOnlyList<PolicyRoute> routes, IReadOnlyDictionary<string, ServicePlan> services,
        ServicePlan defaultService, IReadOnlyList<PolicyMaintenance> maintenance, ResponsePolicy response, PolicyPeople people)
    {
        this.services = services;
        Version = version;
        People = people;
        Source = source;
        Counts = counts;
        this.routes = routes;
        this.defaultService = defaultService;
        this.maintenance = maintenance;
        Response = response;
    }

    /// <summary>
    /// Identifies the content the incident was triaged with: the file's declared version (or "unversioned") plus the
    /// first 12 hex digits of the SHA-256 of its bytes, so an edit that forgets to bump the declared version still
    /// gets a new one.
    /// </summary>
    public string Version { get; }

    /// <summary>Where the policy was read from: a file path, a setting name or a blob URI.</summary>
    public string Source { get; }

    public PolicyCounts Counts { get; }

    /// <summary>Roles, categories and playbooks, the communication protocol, stakeholders and reminders.</summary>
    public ResponsePolicy Response { get; }

    /// <summary>The people the policy names, for finding who a signed-in caller is.</summary>
    public PolicyPeople People { get; }

    /// <summary>The ids of the services, in file order.</summary>
    public IReadOnlyList<string> ServiceIds => [.. services.Keys];

    public bool HasService(string id) => services.ContainsKey(id);

    /// <summary>The service's display name, or null for an id the policy does not have.</summary>
    public string? ServiceName(string id) => services.GetValueOrDefault(id)?.Name;

    /// <summary>
    /// Routes the alert to a service (first matching rule, else the default), freezes its escalation, and names the
    /// maintenance window it falls in: the first in file order that is open at <see cref="TriageInput.At"/>, matches
    /// the alert, and lists the routed service (or lists none).
    /// An incident declared for a service (<see cref="TriageInput.Service"/>) goes to that service by the route
    /// <see cref="DeclaredRoute"/>, and no maintenance window holds it: a window quiets what alerts say during planned
    /// work, and a person declaring has already judged that this is an incident.
    /// </summary>
    public TriageResult Triage(TriageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Service is { } declared)
        {
            var named = services.TryGetValue(declared, out var found)
                ? found
                : throw new ArgumentException($"The policy has no service '{declared}'.", nameof(input));
            var priority = Priorities.Of(input.Severity, named.ImpactTier);
            return new TriageResult(
                Version, named.Id, named.Name, named.TeamId, named.ImpactTier, priority, DeclaredRoute, named.Escalation,
                RequiredRolesWithinMinutes: Response.Communication(priority).RequiredRolesWithinMinutes);
        }

        var route = routes.FirstOrDefault(r => r.Match.Matches(input));
        var service = route?.Service ?? defaultService;
        var window = maintenance.FirstOrDefault(m =>
            m.Window.Start <= input.At && input.At < m.Window.End
            && m.Match.Matches(input)
            && (m.Services.Count == 0 || m.Services.Contains(service.Id)));
        var routed = Priorities.Of(input.Severity, service.ImpactTier);
        return new TriageResult(
            Version,
            service.Id,
            service.Name,
            service.TeamId,
            service.ImpactTier,
            routed,
            route?.Name ?? "default",
            service.Escalation,
            window?.Window,
            Response.Communication(routed).RequiredRolesWithinMinutes);
    }
}

/// <summary>How much the policy declares; logged on load so an operator can see the file they meant was read.</summary>
public sealed record PolicyCounts(int People, int Teams, int EscalationPolicies, int Services, int Routes, int MaintenanceWindows = 0);

/// <summary>A maintenance window with what it applies to: alerts the match accepts, routed to one of the services (any if none).</summary>
internal sealed record PolicyMaintenance(MaintenanceWindow Window, RouteMatch Match, IReadOnlySet<string> Services);

/// <summary>A service with its escalation already expanded to people, shared by every incident routed to it.</summary>
internal sealed record ServicePlan(string Id, string Name, string TeamId, int ImpactTier, EscalationPlan Escalation);

/// <summary>One routing rule; <see cref="Name"/> is its place in the file ("routes[2]"), which triage records.</summary>
internal sealed record PolicyRoute(string Name, RouteMatch Match, ServicePlan Service);

/// <summary>What a route requires; a null or empty condition accepts anything, and the conditions are ANDed.</summary>
internal sealed record RouteMatch(string? Integration, IReadOnlySet<Severity>? Severities, IReadOnlyDictionary<string, string> Labels)
{
    public bool Matches(TriageInput input) =>
        (Integration is null || string.Equals(Integration, input.Integration, StringComparison.OrdinalIgnoreCase))
        && (Severities is null || Severities.Contains(input.Severity))
        && Labels.All(label => input.Labels.TryGetValue(label.Key, out var value) && value == label.Value);
}
