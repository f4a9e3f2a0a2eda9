using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Coordination;

/// <summary>
/// One atomic change of a role's holders, as the timeline records it: <see cref="From"/> lost the role (empty when nobody
/// did), <see cref="To"/> gained it (null when the role was released), and <see cref="Holders"/> is every role's holders
/// afterwards. Nothing changed when <see cref="Changed"/> is false (the person already held the role).
/// </summary>
public sealed record RoleHandOff(
    string Role,
    IReadOnlyList<string> From,
    string? To,
    string By,
    string? Note,
    DateTimeOffset At,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Holders,
    bool Changed = true);

/// <summary>
/// Who holds the incident's roles (role id to policy person ids, in the order they got it).
/// <list type="bullet">
/// <item>A role with one holder (the commander always) is handed off: the new holder replaces the old in one change.</item>
/// <item>A role with several holders gains the new one; the others keep it. Releasing removes one holder.</item>
/// <item>The commander role is never released, only handed to someone else: once an incident has a lead it keeps one.</item>
/// <item>The first person to acknowledge becomes commander when nobody holds it.</item>
/// <item>Required roles still unfilled remind the commander (or, without one, the escalation's current level) from
/// requiredRolesWithinMinutes of the priority after the incident opened.</item>
/// </list>
/// Whether the person exists in the policy and may take a role is the caller's check (it resolves who the person is).
/// </summary>
public static class RoleRules
{
    public static IReadOnlyList<string> HoldersOf(IReadOnlyDictionary<string, IReadOnlyList<string>> holders, string role)
    {
        ArgumentNullException.ThrowIfNull(holders);
        return holders.TryGetValue(role, out var people) ? people : [];
    }

    public static Decision<RoleHandOff> Assign(
        ResponsePolicy policy, IReadOnlyDictionary<string, IReadOnlyList<string>> holders, string role, string person, string by, string? note, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Role(role) is not { } definition)
        {
            return UnknownRole(policy, role);
        }

        var current = HoldersOf(holders, role);
        if (current.Contains(person, StringComparer.Ordinal))
        {
            return new RoleHandOff(role, [], person, by, note, at, holders, Changed: false);
        }

        return definition.Multiple
            ? new RoleHandOff(role, [], person, by, note, at, With(holders, role, [.. current, person]))
            : new RoleHandOff(role, current, person, by, note, at, With(holders, role, [person]));
    }

    public static Decision<RoleHandOff> Release(
        ResponsePolicy policy, IReadOnlyDictionary<string, IReadOnlyList<string>> holders, string role, string person, string by, string? note, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Role(role) is null)
        {
            return UnknownRole(policy, role);
        }

        if (role == ResponsePolicy.Commander)
        {
            return new Refusal("role", "the commander role is handed to someone else, never left empty", Conflict: true);
        }

        var current = HoldersOf(holders, role);
        if (!current.Contains(person, StringComparer.Ordinal))
        {
            return new Refusal("person", $"'{person}' does not hold the {role} role");
        }

        return new RoleHandOff(role, [person], null, by, note, at, With(holders, role, current.Where(p => p != person).ToArray()));
    }

    /// <summary>The hand-off that makes the acknowledger commander, or null when the incident has a commander.</summary>
    public static RoleHandOff? CommanderOnAcknowledge(IReadOnlyDictionary<string, IReadOnlyList<string>> holders, string acknowledgedBy, DateTimeOffset at) =>
        HoldersOf(holders, ResponsePolicy.Commander).Count > 0
            ? null
            : new RoleHandOff(ResponsePolicy.Commander, [], acknowledgedBy, acknowledgedBy, "first to acknowledge", at,
                With(holders, ResponsePolicy.Commander, [acknowledgedBy]));

    /// <summary>The policy's required roles that nobody holds, in policy order.</summary>
    public static IReadOnlyList<IncidentRole> UnfilledRequired(ResponsePolicy policy, IReadOnlyDictionary<string, IReadOnlyList<string>> holders)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Roles.Where(r => r.Required && HoldersOf(holders, r.Id).Count == 0).ToArray();
    }

    /// <summary>When unfilled required roles first remind: requiredRolesWithinMinutes of the priority after opening; null: never.</summary>
    public static DateTimeOffset? RequiredRolesDueAt(ResponsePolicy policy, Priority priority, DateTimeOffset openedAt)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Communication(priority).RequiredRolesWithinMinutes is { } minutes ? openedAt + TimeSpan.FromMinutes(minutes) : null;
    }

    static Refusal UnknownRole(ResponsePolicy policy, string role) =>
        new("role", $"unknown role '{role}'; expected one of {string.Join(", ", policy.Roles.Select(r => r.Id))}");

    static Dictionary<string, IReadOnlyList<string>> With(IReadOnlyDictionary<string, IReadOnlyList<string>> holders, string role, IReadOnlyList<string> people)
    {
        var next = new Dictionary<string, IReadOnlyList<string>>(holders, StringComparer.Ordinal);
        if (people.Count == 0)
        {
            next.Remove(role);
        }
        else
        {
            next[role] = people;
        }

        return next;
    }
}
