using System.Globalization;
using System.Text.Json;

namespace IncidentFunctions.Validation;

/// <summary>One broken rule: <paramref name="Field"/> is a path such as <c>links[0].href</c>.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Reads the fields of a JSON document by one set of rules and one vocabulary of messages, and collects every rule
/// broken under the path of its field, so that a sender or an operator learns everything wrong at once. Every alert
/// format and the policy parser read through it.
/// <list type="bullet">
/// <item>Paths: <see cref="Path"/> joins names with '.', <see cref="Item"/> indexes arrays; the empty path is the root.</item>
/// <item>A property whose value is JSON null is absent: "is required" where one is needed, the default otherwise.</item>
/// <item>A value of the wrong kind is "must be a string, not a number" (see <see cref="Describe"/>), and reading it
/// yields null, so one mistake is reported once, not again by every rule that would have used it.</item>
/// </list>
/// </summary>
public sealed class FieldReader
{
    readonly List<FieldError> errors = [];

    public IReadOnlyList<FieldError> Errors => errors;

    /// <summary>How many rules are broken so far; a caller compares it before and after reading a part.</summary>
    public int Count => errors.Count;

    public void Add(string field, string rule) => errors.Add(new(field, rule));

    public void AddRange(IEnumerable<FieldError> broken) => errors.AddRange(broken);

    public static string Path(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";

    /// <summary>How a JSON value of the wrong kind is named in a message.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>The property's value, unless it is missing or null.</summary>
    public static bool TryGet(JsonElement o, string name, out JsonElement value) =>
        o.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A string that must be there and not blank, of at most <paramref name="max"/> characters.</summary>
    public string? RequiredString(JsonElement o, string path, string name, int max)
    {
        if (!TryGet(o, name, out var value))
        {
            Add(Path(path, name), "is required");
            return null;
        }

        return String(value, Path(path, name), max, allowBlank: false);
    }

    /// <summary>A string if there is one (null otherwise), of at most <paramref name="max"/> characters.</summary>
    public string? OptionalString(JsonElement o, string path, string name, int max, bool allowBlank = true) =>
        TryGet(o, name, out var value) ? String(value, Path(path, name), max, allowBlank) : null;

    /// <summary>The rule an empty list or text breaks where one is needed.</summary>
    public const string NotEmpty = "must not be empty";

    public string? String(JsonElement value, string field, int max, bool allowBlank = true)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Add(field, $"must be a string, not {Describe(value.ValueKind)}");
            return null;
        }

        var text = value.GetString()!;
        if (!allowBlank && string.IsNullOrWhiteSpace(text))
        {
            Add(field, NotEmpty);
            return null;
        }

        if (text.Length > max)
        {
            Add(field, $"must be at most {max} characters");
            return null;
        }

        return text;
    }

    /// <summary>True when <paramref name="value"/> is of <paramref name="kind"/>; otherwise "must be {noun}, not …".</summary>
    public bool Is(JsonElement value, JsonValueKind kind, string field, string? noun = null)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        Add(field, $"must be {noun ?? Describe(kind)}, not {Describe(value.ValueKind)}");
        return false;
    }

    /// <summary>
    /// An object whose property names are all <paramref name="allowed"/> (any, when null) and none repeated. The
    /// root's errors are reported at "$".
    /// </summary>
    public bool StrictObject(JsonElement value, string path, IReadOnlyCollection<string>? allowed)
    {
        if (!Is(value, JsonValueKind.Object, path.Length == 0 ? "$" : path))
        {
            return false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var field = Path(path, property.Name);
            if (!seen.Add(property.Name))
            {
                // A JSON reader would keep one of the two silently; which one is not something to leave to chance.
                Add(field, "appears more than once");
            }
            else if (allowed is not null && !allowed.Contains(property.Name))
            {
                Add(field, $"unknown property; expected one of {string.Join(", ", allowed)}");
            }
        }

        return true;
    }

    /// <summary>
    /// The items of an array property with their paths: none when it is absent ("is required" if
    /// <paramref name="required"/>) or not an array. An empty array breaks <paramref name="emptyRule"/>, when given.
    /// </summary>
    public IReadOnlyList<(JsonElement Item, string Path)> Items(
        JsonElement o, string path, string name, bool required = false, string? emptyRule = null, string noun = "an array")
    {
        var field = Path(path, name);
        if (!TryGet(o, name, out var value))
        {
            if (required)
            {
                Add(field, "is required");
            }

            return [];
        }

        if (!Is(value, JsonValueKind.Array, field, noun))
        {
            return [];
        }

        var items = value.EnumerateArray().Select((item, i) => (item, Item(field, i))).ToList();
        if (emptyRule is not null && items.Count == 0)
        {
            Add(field, emptyRule);
        }

        return items;
    }

    /// <summary>Accepts an enum member's name in any case, but never a number: "0" is not a severity.</summary>
    public static bool TryParseName<T>(string text, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>An enum's member names in lowercase, as senders write them and messages list them.</summary>
    public static IReadOnlyList<string> NamesOf<T>()
        where T : struct, Enum => Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();

    /// <summary>The value <paramref name="text"/> names in <paramref name="allowed"/>; otherwise "must be one of …".</summary>
    public bool OneOf<T>(string? text, string field, IReadOnlyDictionary<string, T> allowed, out T value)
    {
        if (text is not null && allowed.TryGetValue(text, out value!))
        {
            return true;
        }

        value = default!;
        if (text is not null)
        {
            Add(field, $"must be one of {string.Join(", ", allowed.Keys)}");
        }

        return false;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when absent (required when null).</summary>
    public int Integer(JsonElement o, string path, string name, int min, int max, int? fallback)
    {
        var field = Path(path, name);
        if (!TryGet(o, name, out var value))
        {
            if (fallback is null)
            {
                Add(field, "is required");
            }

            return fallback ?? min;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            Add(field, $"must be a whole number from {min} to {max}");
            return fallback ?? min;
        }

        return number;
    }

    /// <summary>A number more than 0 and at most <paramref name="max"/>, or null; <paramref name="rule"/> says what it is.</summary>
    public double? PositiveNumber(JsonElement o, string path, string name, double max, bool required, string rule)
    {
        var field = Path(path, name);
        if (!TryGet(o, name, out var value))
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        // A number too large for a double reads as infinity, which the range check refuses.
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !(number > 0 && number <= max))
        {
            Add(field, rule);
            return null;
        }

        return number;
    }

    public bool Boolean(JsonElement o, string path, string name, bool fallback)
    {
        if (!TryGet(o, name, out var value))
        {
            return fallback;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Add(Path(path, name), "must be true or false");
        return fallback;
    }

    /// <summary>An optional ISO 8601 date and time of at most 64 characters, in UTC; read as UTC when it has no offset.</summary>
    public DateTimeOffset? OptionalDateTime(JsonElement o, string path, string name)
    {
        if (OptionalString(o, path, name, 64) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.ToUniversalTime();
        }

        Add(Path(path, name), "must be an ISO 8601 date and time, e.g. 2026-11-26T03:00:00Z");
        return null;
    }

    /// <summary>
    /// An RFC 3339 date and time as senders written in Go (nine fractional digits) and .NET (seven) send it. The offset
    /// is required unless <paramref name="assumeUtc"/>: a time without one would silently be read as local.
    /// </summary>
    public static bool TryParseRfc3339(string text, bool assumeUtc, out DateTimeOffset value)
    {
        // A .NET format reads at most seven fractional digits, so the surplus digits, below a tick, are cut first.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if ((hasOffset || assumeUtc) && DateTimeOffset.TryParseExact(
            text,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
            CultureInfo.InvariantCulture,
            assumeUtc ? DateTimeStyles.AssumeUniversal : DateTimeStyles.None,
            out var parsed))
        {
            value = parsed.ToUniversalTime();
            return true;
        }

        value = default;
        return false;
    }
}
