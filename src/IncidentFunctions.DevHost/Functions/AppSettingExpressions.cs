using System.Text.RegularExpressions;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Trigger attribute values as the Functions host resolves them: each %name% (a queue name, a schedule) is replaced by
/// the app setting of that name, so that a deployment, or a test, sets the value without a build.
/// </summary>
public static partial class AppSettingExpressions
{
    /// <summary>The value with every %name% replaced; throws, naming the setting, when one is not set.</summary>
    public static string Resolve(string value, IConfiguration configuration) =>
        Reference().Replace(value, reference =>
        {
            var name = reference.Groups["name"].Value;
            return configuration[name] is { Length: > 0 } setting
                ? setting
                : throw new InvalidOperationException(
                    $"{value} names the setting {name}, which is not set (as an environment variable or app setting: {name.Replace(":", "__", StringComparison.Ordinal)}).");
        });

    [GeneratedRegex("%(?<name>[^%]+)%")]
    private static partial Regex Reference();
}
