namespace IncidentFunctions.Access;

/// <summary>
/// Who is calling: the signed-in principal's name, identity provider, email and Entra object id, the app roles it holds
/// (its role claims, or the configured default role when it has none), and the policy person it is, if any.
/// </summary>
public sealed record Caller(
    string Name,
    string IdentityProvider,
    string? Email,
    string? ObjectId,
    IReadOnlySet<AppRole> Roles,
    string? PersonId)
{
    public bool Holds(Permission permission) => Roles.Any(r => r >= permission.LeastRole());

    public bool IsAdmin => Roles.Contains(AppRole.Admin);

    /// <summary>
    /// What identifies the caller across requests (idempotency records are kept per caller): the object id where the
    /// identity provider gives one, which survives a renamed account; else the provider and the name.
    /// </summary>
    public string Key => ObjectId is { } id ? ObjectIdPrefix + id : $"{IdentityProvider}:{Name}";

    const string ObjectIdPrefix = "oid:";

    /// <summary>
    /// The name a <see cref="Key"/> was made from, without its identity provider (<c>aad:dana@example.com</c> is
    /// dana@example.com); a key made from an Entra object id, or anything else, as it is: that is all it holds.
    /// </summary>
    public static string NameIn(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < key.Length - 1 && !key.StartsWith(ObjectIdPrefix, StringComparison.Ordinal) ? key[(colon + 1)..] : key;
    }

    /// <summary>How an incident's participants name this caller: the policy person, or <see cref="Key"/> for someone the policy does not know.</summary>
    public string ParticipantId => PersonId ?? Key;

    /// <summary>The roles as their claim values, for refusals and logs.</summary>
    public string RoleNames => Roles.Count == 0 ? "no app role" : string.Join(", ", Roles.Order().Select(AppRoles.ValueOf));
}
