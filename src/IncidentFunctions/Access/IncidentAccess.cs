using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;

namespace IncidentFunctions.Access;

/// <summary>What a caller may do on an incident: act, be refused (403), or not be told it exists (404).</summary>
public enum AccessDecision
{
    Allowed,
    Forbidden,
    Hidden,
}

/// <summary>
/// What the access decision reads of an incident: its visibility and the person ids of its participants, of the people
/// granted access, and of its commander (the holder of its <c>commander</c> role).
/// </summary>
public sealed record IncidentAccessFacts(Visibility Visibility, IReadOnlySet<string> Participants, IReadOnlySet<string> Grants, string? Commander)
{
    static readonly IReadOnlySet<string> Nobody = new HashSet<string>();

    /// <summary>A standard incident without participants, grants or commander.</summary>
    public static readonly IncidentAccessFacts Standard = new(Visibility.Standard, Nobody, Nobody, null);

    /// <summary>The facts of an incident, from its response record.</summary>
    public static IncidentAccessFacts Of(IncidentResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(response.Visibility, response.Participants.ToHashSet(StringComparer.Ordinal), response.Grants.ToHashSet(StringComparer.Ordinal), response.Commander);
    }

    /// <summary>The facts of a stored incident: for a restricted one, the people its escalation pages are participants too.</summary>
    public static IncidentAccessFacts Of(IncidentEntity incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var response = incident.ResponseValue;
        return Of(response with { Participants = incident.AccessParticipants(response) });
    }

    /// <summary>The facts of a listed incident, from its index row.</summary>
    public static IncidentAccessFacts Of(ListedIncident listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        return new(listed.Summary.Visibility, listed.Participants.ToHashSet(StringComparer.Ordinal), listed.Grants.ToHashSet(StringComparer.Ordinal), listed.Summary.Commander);
    }
}

/// <summary>
/// The one decision of who may see and act on an incident. Pure: the caller and the incident's facts in, the answer
/// out. Routes first ask <see cref="Caller.Holds"/> for the permission they need at least, then ask here per incident.
/// </summary>
public static class IncidentAccess
{
    /// <summary>
    /// Whether the caller may know the incident exists: anyone who may read, for a standard incident; for a restricted
    /// one, only its participants, the people granted access, its commander and admins.
    /// </summary>
    public static bool CanSee(Caller caller, IncidentAccessFacts incident) =>
        caller.Holds(Permission.Read)
        && (incident.Visibility == Visibility.Standard || caller.IsAdmin || IsInvolved(caller, incident));

    /// <summary>
    /// Hidden when the caller may not see the incident (so a refusal never confirms it exists), else allowed when the
    /// caller holds the permission, or the permission is <see cref="Permission.Command"/> and the caller, holding at
    /// least <see cref="Permission.Respond"/>, is the incident's own commander; else forbidden.
    /// </summary>
    public static AccessDecision Decide(Caller caller, Permission permission, IncidentAccessFacts incident)
    {
        if (!CanSee(caller, incident))
        {
            return AccessDecision.Hidden;
        }

        if (caller.Holds(permission))
        {
            return AccessDecision.Allowed;
        }

        var ownCommander = permission == Permission.Command && caller.Holds(Permission.Respond)
            && caller.PersonId is { } person && person == incident.Commander;
        return ownCommander ? AccessDecision.Allowed : AccessDecision.Forbidden;
    }

    /// <summary>The refusal a route answers for a decision, or null when it is allowed.</summary>
    public static Problem? Refusal(AccessDecision decision, Caller caller, Permission permission, string incidentId) => decision switch
    {
        AccessDecision.Allowed => null,
        AccessDecision.Hidden => Problem.NotFound("Incident", incidentId),
        _ => Forbidden(caller, permission),
    };

    /// <summary>The 403 for a caller who lacks <paramref name="permission"/>: it names the permission and the roles that hold it.</summary>
    public static Problem Forbidden(Caller caller, Permission permission) =>
        Problem.Forbidden(
            permission.NameOf(),
            Enum.GetValues<AppRole>().Where(r => r >= permission.LeastRole()).Select(AppRoles.ValueOf).ToArray(),
            caller.RoleNames);

    static bool IsInvolved(Caller caller, IncidentAccessFacts incident) =>
        incident.Participants.Contains(caller.ParticipantId)
        || (caller.PersonId is { } person && (incident.Grants.Contains(person) || incident.Commander == person));
}
