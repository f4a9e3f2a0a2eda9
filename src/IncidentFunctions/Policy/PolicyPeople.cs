using IncidentFunctions.Model;

namespace IncidentFunctions.Policy;

/// <summary>
/// The policy's people as a directory of signed-in callers: a caller is the person whose Entra object id they carry,
/// else the person with their email address (in any case: mail systems and identity providers differ in spelling).
/// The object id goes first because an address can be reused; the first person in file order wins a shared address.
/// </summary>
public sealed class PolicyPeople
{
    readonly IReadOnlyDictionary<string, string> byObjectId;
    readonly Dictionary<string, string> byEmail = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, Recipient> byId = new(StringComparer.Ordinal);

    internal PolicyPeople(IReadOnlyList<Recipient> people, IReadOnlyDictionary<string, string> byObjectId)
    {
        this.byObjectId = byObjectId;
        foreach (var person in people)
        {
            byEmail.TryAdd(person.Email, person.PersonId);
            byId.TryAdd(person.PersonId, person);
        }
    }

    /// <summary>The person with this policy id, as a recipient of email; null when the policy names nobody so.</summary>
    public Recipient? Person(string personId) => byId.GetValueOrDefault(personId);

    /// <summary>The person id of the caller with this object id or email, or null when the policy names neither.</summary>
    public string? Find(string? objectId, string? email)
    {
        if (objectId is not null && Guid.TryParse(objectId, out var id) && byObjectId.TryGetValue(id.ToString("D"), out var byId))
        {
            return byId;
        }

        return email is not null && byEmail.TryGetValue(email, out var byAddress) ? byAddress : null;
    }
}
