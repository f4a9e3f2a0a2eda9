using IncidentFunctions.Http;
using IncidentFunctions.Incidents;

namespace IncidentFunctions.Access;

/// <summary>The incident a route is about, or the refusal to answer instead: 404 when it does not exist or is hidden from the caller, 403 when seen but not allowed.</summary>
public sealed record Admitted(IncidentEntity? Incident, Problem? Refusal);

/// <summary>
/// Every route about one incident starts here: the id is checked, the incident read once, and the caller's
/// <see cref="IncidentAccess"/> decision taken on it, so that no route can read an incident without asking.
/// </summary>
public sealed class IncidentGate(IncidentStore incidents)
{
    public async Task<Admitted> AdmitAsync(Caller caller, Permission permission, string id, CancellationToken ct)
    {
        var incident = IncidentIds.IsWellFormed(id) ? await incidents.FindAsync(id, ct) : null;
        if (incident is null)
        {
            return new(null, Problem.NotFound("Incident", id));
        }

        var decision = IncidentAccess.Decide(caller, permission, IncidentAccessFacts.Of(incident));
        return IncidentAccess.Refusal(decision, caller, permission, id) is { } refused ? new(null, refused) : new(incident, null);
    }
}
