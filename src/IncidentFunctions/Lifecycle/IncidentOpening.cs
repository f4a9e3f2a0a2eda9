using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// What opening an incident decides and records, shared by the two writers that may get there first: the alert
/// processor, which triages as it creates the incident so that it can page at once, and the orchestration's first
/// activity, which does the same for an incident created without it (or finds the stored decision and changes nothing).
/// Event ids and times derive from the incident, so both writers record the same three events, once. The ids name the
/// incident: the opening is published as a lifecycle event under its id, which must be unique across incidents.
/// </summary>
public static class IncidentOpening
{
    public static string OpenedEventIdOf(string incidentId) => $"opened-{incidentId}";

    static string TriagedEventIdOf(string incidentId) => $"triaged-{incidentId}";

    static string RoutedEventIdOf(string incidentId) => $"routed-{incidentId}";

    /// <summary>The triage stored on the incident, if any; otherwise decides it from <paramref name="policy"/> and stores it on the entity (the caller writes it).</summary>
    public static TriageResult Triage(IncidentEntity incident, IncidentPolicy policy)
    {
        if (incident.Triage is { } stored)
        {
            return JsonSerializer.Deserialize<TriageResult>(stored, JsonDefaults.Options)!;
        }

        var triage = policy.Triage(new TriageInput(
            incident.Integration,
            JsonSerializer.Deserialize<Dictionary<string, string>>(incident.Labels, JsonDefaults.Options) ?? [],
            Enum.Parse<Severity>(incident.Severity),
            incident.OpenedAt));
        incident.Triage = JsonSerializer.Serialize(triage, JsonDefaults.Options);
        incident.Priority = triage.Priority.ToString();
        incident.ServiceId = triage.ServiceId;
        incident.ServiceName = triage.ServiceName;
        incident.PolicyVersion = triage.PolicyVersion;
        return triage;
    }

    /// <summary>Opened, triaged, routed: ticks apart from the opening, since events at one instant sort by id.</summary>
    public static IReadOnlyList<TimelineEvent> Events(IncidentEntity incident, TriageResult triage)
    {
        var plan = triage.Escalation;
        var at = incident.OpenedAt;
        return
        [
            new TimelineEvent(OpenedEventIdOf(incident.Id), at, TimelineEventTypes.IncidentOpened, "system", Channels.System,
                $"Incident opened: {incident.Title}",
                new Dictionary<string, string> { ["severity"] = incident.Severity.ToLowerInvariant(), ["integration"] = incident.Integration, ["dedupKey"] = incident.DedupKey }),
            new TimelineEvent(TriagedEventIdOf(incident.Id), at.AddTicks(1), TimelineEventTypes.IncidentTriaged, "system", Channels.System,
                $"Triaged as {triage.Priority}: impact tier {triage.ImpactTier}",
                new Dictionary<string, string> { ["priority"] = triage.Priority.ToString(), ["impactTier"] = triage.ImpactTier.ToString(), ["policyVersion"] = triage.PolicyVersion }),
            new TimelineEvent(RoutedEventIdOf(incident.Id), at.AddTicks(2), TimelineEventTypes.IncidentRouted, "system", Channels.System,
                $"Routed to {triage.ServiceName} (team {triage.TeamId}) by {triage.Route}; escalation policy {plan.PolicyId}",
                new Dictionary<string, string>
                {
                    ["service"] = triage.ServiceId,
                    ["team"] = triage.TeamId,
                    ["route"] = triage.Route,
                    ["escalationPolicy"] = plan.PolicyId,
                    ["levels"] = plan.Levels.Count.ToString(),
                    ["repeat"] = plan.Repeat.ToString(),
                }),
        ];
    }
}
