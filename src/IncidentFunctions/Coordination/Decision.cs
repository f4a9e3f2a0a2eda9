namespace IncidentFunctions.Coordination;

/// <summary>
/// Why a change is not allowed, for the caller to act on: <see cref="Field"/> is the request field it is about
/// ("stage", "milestones.acknowledged", "reason"), as problem+json names it. <see cref="Conflict"/> says the request is
/// well formed but the incident's state refuses it (a stage out of order, a closed incident): HTTP 409, not 400.
/// </summary>
public sealed record Refusal(string Field, string Message, bool Conflict = false);

/// <summary>A rule's answer: what the change leads to, or why it is refused; exactly one of the two is set.</summary>
public sealed record Decision<T>(T? Accepted, Refusal? Refused)
    where T : class
{
    public static implicit operator Decision<T>(T accepted) => new(accepted, null);

    public static implicit operator Decision<T>(Refusal refused) => new(null, refused);
}

/// <summary>How names appear in refusals and request fields: as the JSON API spells them.</summary>
internal static class Wording
{
    public static string Of<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static string List<T>(IEnumerable<T> values)
        where T : struct, Enum => string.Join(", ", values.Select(Of));
}
