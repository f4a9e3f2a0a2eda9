using System.Globalization;

namespace IncidentFunctions.Benchmarks;

public sealed class UsageException(string message) : Exception(message);

/// <summary>Option values the benchmarks share, each refused with a message that names the option.</summary>
public static class Arguments
{
    /// <summary>
    /// The options after the command, in order: "--name value" pairs, and the <paramref name="flags"/>, which take no
    /// value (theirs is empty).
    /// </summary>
    public static IEnumerable<(string Name, string Value)> Options(IReadOnlyList<string> args, params string[] flags)
    {
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            yield return flags.Contains(name)
                ? (name, string.Empty)
                : (name, i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value."));
        }
    }

    public static int Number(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new UsageException($"{name} must be a whole number of at least {min}, not '{value}'.");

    /// <summary>A number above 0, fractions allowed (a rate, minutes, seconds).</summary>
    public static double Positive(string name, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new UsageException($"{name} must be a positive number, not '{value}'.");

    /// <summary>A share from 0 to 1, written as 0.1 or 10%.</summary>
    public static double Fraction(string name, string value)
    {
        var (number, scale) = value.EndsWith('%') ? (value[..^1], 100.0) : (value, 1.0);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n / scale is >= 0 and <= 1
            ? n / scale
            : throw new UsageException($"{name} must be a share from 0 to 1 (or 0% to 100%), not '{value}'.");
    }

    public static TimeSpan Duration(string name, string value)
    {
        var (number, unit) = value.EndsWith('m') ? (value[..^1], 60) : value.EndsWith('s') ? (value[..^1], 1) : (value, 1);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromSeconds(n * unit)
            : throw new UsageException($"{name} must be a positive number of seconds, or e.g. 90s or 10m, not '{value}'.");
    }
}
