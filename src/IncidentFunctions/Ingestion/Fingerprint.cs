using System.Security.Cryptography;
using System.Text;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// The dedup key of an alert that did not bring one: a hash of what identifies the problem (source, title and the
/// label set), not of what changes between repeats (description, timestamps, links). Labels are sorted, and every
/// part is length-prefixed so that different alerts cannot collide by shifting text between fields.
/// </summary>
public static class Fingerprint
{
    public const string Prefix = "fp:";

    public static string Of(string title, string? source, IReadOnlyDictionary<string, string> labels)
    {
        var canonical = new StringBuilder();
        Append(canonical, source ?? string.Empty);
        Append(canonical, title.Trim());
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            Append(canonical, key);
            Append(canonical, value);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
        return Prefix + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    static void Append(StringBuilder builder, string part) => builder.Append(part.Length).Append(':').Append(part).Append(';');
}
