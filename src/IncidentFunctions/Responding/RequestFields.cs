using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>
/// How the requests of a response are read: a JSON object of known properties, each broken rule collected under its
/// field, and the refusal one problem+json naming them all.
/// </summary>
internal static class RequestFields
{
    /// <summary>The longest summary, reason or other free text a person writes into one field of a request.</summary>
    public const int MaxText = 4096;

    /// <summary>Policy ids (services, categories, people) are at most this long; anything longer names nothing.</summary>
    public const int MaxId = 64;

    /// <summary>Reads <paramref name="body"/> as an object of <paramref name="allowed"/> properties with <paramref name="read"/>; the refusal when any rule broke.</summary>
    public static (T? Request, Problem? Refusal) Read<T>(JsonElement body, IReadOnlyCollection<string> allowed, Func<JsonElement, FieldReader, T> read)
        where T : class
    {
        var fields = new FieldReader();
        if (!fields.StrictObject(body, string.Empty, allowed))
        {
            return (null, Problem.Validation(fields.Errors));
        }

        var request = read(body, fields);
        return fields.Count == 0 ? (request, null) : (null, Problem.Validation(fields.Errors));
    }

    /// <summary>An enum member named in camelCase (any case accepted); null when absent, or after recording the rule broken.</summary>
    public static T? Name<T>(FieldReader fields, JsonElement o, string name, bool required)
        where T : struct, Enum
    {
        var text = required ? fields.RequiredString(o, string.Empty, name, MaxId) : fields.OptionalString(o, string.Empty, name, MaxId, allowBlank: false);
        if (text is null)
        {
            return null;
        }

        if (FieldReader.TryParseName<T>(text.Trim(), out var value))
        {
            return value;
        }

        fields.Add(name, $"must be one of {string.Join(", ", Enum.GetValues<T>().Select(v => JsonNamingPolicy.CamelCase.ConvertName(v.ToString())))}");
        return null;
    }

    /// <summary>Free text, trimmed; null when absent or blank.</summary>
    public static string? Text(FieldReader fields, JsonElement o, string name, int max = MaxText) =>
        fields.OptionalString(o, string.Empty, name, max) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;
}
