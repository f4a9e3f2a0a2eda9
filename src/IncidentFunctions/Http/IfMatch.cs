using Azure;

namespace IncidentFunctions.Http;

/// <summary>
/// Optimistic concurrency for edits of an incident: GET returns the row's ETag, an edit may send it back in If-Match,
/// and a row changed since is a 412. Weak and strong forms of the same tag match; <c>*</c> matches any.
/// </summary>
public static class IfMatch
{
    public const string Header = "If-Match";

    public const string ETagHeader = "ETag";

    public static bool Matches(string ifMatch, ETag current)
    {
        ArgumentNullException.ThrowIfNull(ifMatch);
        var wanted = ifMatch.Trim();
        return wanted == "*" || wanted.Split(',').Select(Normalize).Contains(Normalize(current.ToString()));
    }

    /// <summary>The header's value, or null when absent or blank (then the edit does not ask).</summary>
    public static string? Of(Microsoft.AspNetCore.Http.HttpRequest request) =>
        request.Headers[Header].ToString() is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    static string Normalize(string tag)
    {
        var t = tag.Trim();
        return t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t;
    }
}
