using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>Hand a role of the incident to a policy person: <c>role</c> and <c>person</c> are ids of the policy.</summary>
public sealed record AssignRoleRequest(string Role, string Person, string? Note = null) : IChangeRequest<AssignRoleRequest>
{
    public const int MaxNoteLength = 2000;
    const int MaxIdLength = 128;
    static readonly string[] Properties = ["role", "person", "note"];

    /// <summary>The request, or the broken rules naming their fields.</summary>
    public static AssignRoleRequest? Read(JsonElement body, FieldReader fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.StrictObject(body, string.Empty, Properties))
        {
            return null;
        }

        var role = fields.RequiredString(body, string.Empty, "role", MaxIdLength);
        var person = fields.RequiredString(body, string.Empty, "person", MaxIdLength);
        var note = fields.OptionalString(body, string.Empty, "note", MaxNoteLength, allowBlank: false);
        return fields.Count > 0 ? null : new(role!, person!, note);
    }
}

/// <summary>
/// Who holds the incident's roles, changed by people: one atomic hand-off per request (<see cref="RoleRules"/>), recorded
/// as <c>role.assigned</c> (published as <see cref="LifecycleEventKind.RoleAssigned"/>) or <c>role.released</c>. The new
/// holder becomes a participant; <see cref="RoleAssignedDelivery"/> emails them the role's instructions.
/// </summary>
public sealed class RoleAssignments(IncidentEditor editor, PolicyProvider policy)
{
    public Task<Edited> AssignAsync(Caller caller, string id, string? ifMatch, AssignRoleRequest request, ICoordinationSignals coordination, CancellationToken ct)
    {
        var current = policy.Current;
        return editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, now) => DecideAssign(current, row.ResponseValue, request, caller.Name, now), coordination, ct);
    }

    public Task<Edited> ReleaseAsync(Caller caller, string id, string? ifMatch, string role, string person, ICoordinationSignals coordination, CancellationToken ct)
    {
        var current = policy.Current;
        return editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, now) => DecideRelease(current, row.ResponseValue, role, person, caller.Name, now), coordination, ct);
    }

    /// <summary>The hand-off, or why not: an unknown role (400 <c>role</c>), an unknown person (400 <c>person</c>), a closed incident (409).</summary>
    public static Decision<Change> DecideAssign(IncidentPolicy policy, IncidentResponse response, AssignRoleRequest request, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(request);
        if (policy.Response.Role(request.Role) is not { } role)
        {
            return RoleRules.Assign(policy.Response, response.Roles, request.Role, request.Person, by, request.Note, now).Refused!;
        }

        if (policy.People.Person(request.Person) is not { } person)
        {
            return new Refusal("person", $"no person '{request.Person}' in the policy");
        }

        if (StageMachine.IsFinal(response.Stage))
        {
            return Final(response.Stage);
        }

        var handOff = RoleRules.Assign(policy.Response, response.Roles, role.Id, person.PersonId, by, request.Note, now).Accepted!;
        if (!handOff.Changed)
        {
            return Change.Nothing(response);
        }

        var from = handOff.From.Select(p => policy.People.Person(p)?.Name ?? p).ToList();
        var summary = from.Count == 0
            ? $"{person.Name} is now {role.Name}"
            : $"{role.Name} handed from {string.Join(", ", from)} to {person.Name}";
        var data = new Dictionary<string, string>
        {
            ["role"] = role.Id,
            ["from"] = string.Join(",", handOff.From),
            ["to"] = person.PersonId,
            ["note"] = request.Note ?? string.Empty,
        };
        return new Change(
            (response with { Roles = handOff.Holders }).WithParticipant(person.PersonId),
            [new ChangeNote(TimelineEventTypes.RoleAssigned, request.Note is null ? summary : $"{summary}: {request.Note}", data, LifecycleEventKind.RoleAssigned)]);
    }

    /// <summary>One holder gives a role up; the commander role is only ever handed on (409).</summary>
    public static Decision<Change> DecideRelease(IncidentPolicy policy, IncidentResponse response, string role, string person, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(response);
        if (StageMachine.IsFinal(response.Stage))
        {
            return Final(response.Stage);
        }

        var released = RoleRules.Release(policy.Response, response.Roles, role, person, by, null, now);
        if (released.Refused is { } refused)
        {
            return refused;
        }

        var name = policy.Response.Role(role)!.Name;
        return new Change(
            response with { Roles = released.Accepted!.Holders },
            [new ChangeNote(
                TimelineEventTypes.RoleReleased,
                $"{policy.People.Person(person)?.Name ?? person} is no longer {name}",
                new Dictionary<string, string> { ["role"] = role, ["from"] = person })]);
    }

    /// <summary>A closed, declined or merged incident keeps the people it had.</summary>
    internal static Refusal Final(Stage stage) =>
        new("stage", $"the incident is {Wording.Of(stage)}; who holds its roles no longer changes", Conflict: true);
}
