using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Policy;

/// <summary>
/// Where the policy is read from, bound from the "Policy" section: exactly one of <see cref="Path"/>,
/// <see cref="Json"/> or <see cref="Blob"/> (as app settings or environment variables: Policy__Path, Policy__Json,
/// Policy__Blob).
/// </summary>
public sealed class PolicyOptions
{
    public const string Section = "Policy";

    /// <summary>A policy file; a relative path resolves against the app's folder (<see cref="AppContext.BaseDirectory"/>).</summary>
    public string? Path { get; set; }

    /// <summary>The policy itself, for deployments that keep it in an app setting.</summary>
    public string? Json { get; set; }

    /// <summary>"container/blob-name" in the app's own storage account, read with the app's identity.</summary>
    public string? Blob { get; set; }

    public const string PathSetting = $"{Section}:{nameof(Path)}";
    public const string JsonSetting = $"{Section}:{nameof(Json)}";
    public const string BlobSetting = $"{Section}:{nameof(Blob)}";

    internal const string Choices =
        $"{PathSetting} (a policy file; relative paths start at the app's folder), {JsonSetting} (the policy itself) or " +
        $"{BlobSetting} (container/blob-name in the app's storage account). In app settings and environment variables, " +
        $"write '__' for ':' (e.g. {Section}__{nameof(Path)})";

    /// <summary>The container and blob name of <see cref="Blob"/>; null unless it is "container/blob-name".</summary>
    internal static (string Container, string Name)? BlobLocation(string? blob) =>
        blob?.Split('/', 2) is [{ Length: > 0 } container, { Length: > 0 } name] ? (container, name) : null;

    internal static bool IsSet([NotNullWhen(true)] string? value) => !string.IsNullOrWhiteSpace(value);
}

public sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options)
    {
        (string Setting, string? Value)[] settings =
        [
            (PolicyOptions.PathSetting, options.Path),
            (PolicyOptions.JsonSetting, options.Json),
            (PolicyOptions.BlobSetting, options.Blob),
        ];
        var set = settings.Where(s => PolicyOptions.IsSet(s.Value)).Select(s => s.Setting).ToArray();
        if (set.Length != 1)
        {
            var found = set.Length == 0 ? "none is set" : $"{string.Join(" and ", set)} are set";
            return ValidateOptionsResult.Fail($"The incident policy: set exactly one of {PolicyOptions.Choices}; {found}.");
        }

        if (PolicyOptions.IsSet(options.Blob) && PolicyOptions.BlobLocation(options.Blob) is null)
        {
            return ValidateOptionsResult.Fail(
                $"{PolicyOptions.BlobSetting}: must be 'container/blob-name', not '{options.Blob}'.");
        }

        return ValidateOptionsResult.Success;
    }
}
