using System.Security.Cryptography;

namespace IncidentFunctions.Incidents;

/// <summary>
/// Incident ids a person can read out on a call: INC-20261126-7K3QX9MD. The date orders them roughly; 40 random bits
/// (Crockford base32, no I/L/O/U) keep two incidents of the same day apart.
/// </summary>
public static class IncidentIds
{
    const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        Span<char> suffix = stackalloc char[8];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = Alphabet[random[i] & 31];
        }

        return $"INC-{now.UtcDateTime:yyyyMMdd}-{suffix}";
    }

    public static bool IsWellFormed(string? id) =>
        id is { Length: 21 } && id.StartsWith("INC-", StringComparison.Ordinal) && id[12] == '-' &&
        id.AsSpan(4, 8).ContainsOnlyDigits() && id.AsSpan(13).IndexOfAnyExcept(Alphabet) < 0;

    static bool ContainsOnlyDigits(this ReadOnlySpan<char> span) => span.IndexOfAnyExceptInRange('0', '9') < 0;
}
