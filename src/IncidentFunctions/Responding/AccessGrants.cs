using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>Let a policy person see a restricted incident without taking part in it.</summary>
public sealed record GrantAccessRequest(string Person) : IChangeRequest<GrantAccessRequest>
{
    const int MaxIdLength = 128;
    static readonly string[] Properties = ["person"];

    public static GrantAccessRequest? Read(JsonElement body, FieldReader fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.StrictObject(body, string.Empty, Properties))
        {
            return null;
        }

        var person = fields.RequiredString(body, string.Empty, "person", MaxIdLength);
        return fields.Count > 0 ? null : new(person!);
    }
}

/// <summary>
/// Who may see a restricted incident besides its participants and admins: people granted access
/// (<c>access.granted</c>, <c>access.revoked</c>). A grant on a standard incident is kept too, and counts once the
/// incident is restricted. Revoking never hides the incident from someone who takes part in it.
/// </summary>
public sealed class AccessGrants(IncidentEditor editor, PolicyProvider policy)
{
    public Task<Edited> GrantAsync(Caller caller, string id, string? ifMatch, GrantAccessRequest request, ICoordinationSignals coordination, CancellationToken ct)
    {
        var people = policy.Current.People;
        return editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, _) => DecideGrant(people, row.ResponseValue, request.Person), coordination, ct);
    }

    public Task<Edited> RevokeAsync(Caller caller, string id, string? ifMatch, string person, ICoordinationSignals coordination, CancellationToken ct)
    {
        var people = policy.Current.People;
        return editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, _) => DecideRevoke(people, row.ResponseValue, person), coordination, ct);
    }

    public static Decision<Change> DecideGrant(PolicyPeople people, IncidentResponse response, string person)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(response);
        if (people.Person(person) is not { } granted)
        {
            return new Refusal("person", $"no person '{person}' in the policy");
        }

        if (response.Grants.Contains(granted.PersonId, StringComparer.Ordinal))
        {
            return Change.Nothing(response);
        }

        return new Change(
            response with { Grants = [.. response.Grants, granted.PersonId] },
            [new ChangeNote(TimelineEventTypes.AccessGranted, $"{granted.Name} may see this incident", new Dictionary<string, string> { ["person"] = granted.PersonId })]);
    }

    /// <summary>Taking back a grant nobody holds changes nothing (a repeated DELETE is harmless).</summary>
    public static Decision<Change> DecideRevoke(PolicyPeople people, IncidentResponse response, string person)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(response);
        if (!response.Grants.Contains(person, StringComparer.Ordinal))
        {
            return Change.Nothing(response);
        }

        return new Change(
            response with { Grants = [.. response.Grants.Where(p => p != person)] },
            [new ChangeNote(TimelineEventTypes.AccessRevoked, $"{people.Person(person)?.Name ?? person} no longer has access granted", new Dictionary<string, string> { ["person"] = person })]);
    }
}
