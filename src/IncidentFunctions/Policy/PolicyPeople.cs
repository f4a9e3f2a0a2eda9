using IncidentFunctions.Model;

namespace IncidentFunctions.Policy;

/// <summary>
/// The policy's people as a directory: who a signed-in caller is, and who a person, a team or an escalation policy
/// named in a request is. A caller is the person whose Entra object id they carry, else the person with their email
/// address (in any case: mail systems and identity providers differ in spelling). The object id goes first because an
/// address can be reused; the first person in file order wins a shared address.
/// </summary>
public sealed class PolicyPeople
{
    readonly IReadOnlyDictionary<string, string> byObjectId;
    readonly Dictionary<string, string> byEmail = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, Recipient> byId = new(StringComparer.Ordinal);
    readonly IReadOnlyDictionary<string, IReadOnlyList<Recipient>> teams;
    readonly IReadOnlyDictionary<string, IReadOnlyList<Recipient>> firstLevels;

    internal PolicyPeople(
        IReadOnlyList<Recipient> people,
        IReadOnlyDictionary<string, string> byObjectId,
        IReadOnlyDictionary<string, IReadOnlyList<Recipient>> teams,
        IReadOnlyDictionary<string, IReadOnlyList<Recipient>> firstLevels)
    {
        this.byObjectId = byObjectId;
        this.teams = teams;
        this.firstLevels = firstLevels;
        Everyone = people;
        foreach (var person in people)
        {
            byEmail.TryAdd(person.Email, person.PersonId);
            byId.TryAdd(person.PersonId, person);
        }
    }

    /// <summary>Every person, in file order: the pickers of the console's forms offer them.</summary>
    public IReadOnlyList<Recipient> Everyone { get; }

    /// <summary>The teams' ids, in order: what a request may name as a team.</summary>
    public IReadOnlyList<string> TeamIds => [.. teams.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The escalation policies' ids, in order: what a request may name as an escalation policy.</summary>
    public IReadOnlyList<string> EscalationPolicyIds => [.. firstLevels.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The person with this policy id, or null: how a request naming a person (a commander, an assignee) is checked.</summary>
    public Recipient? Person(string personId) => byId.GetValueOrDefault(personId);

    /// <summary>The person id of the caller with this object id or email, or null when the policy names neither.</summary>
    public string? Find(string? objectId, string? email)
    {
        if (objectId is not null && Guid.TryParse(objectId, out var id) && byObjectId.TryGetValue(id.ToString("D"), out var byObject))
        {
            return byObject;
        }

        return email is not null && byEmail.TryGetValue(email, out var byAddress) ? byAddress : null;
    }

    /// <summary>The members of the team with this id, or null when there is no such team.</summary>
    public IReadOnlyList<Recipient>? TeamMembers(string id) => teams.GetValueOrDefault(id);

    /// <summary>
    /// Who the escalation policy with this id pages first: its first level's targets, teams expanded to their members,
    /// as paging expands them; null when there is no such policy.
    /// </summary>
    public IReadOnlyList<Recipient>? FirstLevel(string id) => firstLevels.GetValueOrDefault(id);
}
