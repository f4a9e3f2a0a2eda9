using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LifecycleEvents;

/// <summary>
/// Bound from the "IncidentEvents" section (IncidentEvents__Enabled, __FullyQualifiedNamespace, __Topic,
/// __ManagedIdentityClientId, ...). The deployment templates set exactly these names; this class is where they are spelled.
/// </summary>
public sealed class LifecycleEventOptions
{
    public const string Section = "IncidentEvents";
    public const string DefaultTopic = "incident-events";
    public const int DefaultMaxAttempts = 8;
    public const int MaxMaxAttempts = 20;
    public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxRetryInterval = TimeSpan.FromMinutes(5);

    /// <summary>Off unless set: a development machine has no Service Bus namespace to publish to.</summary>
    public bool Enabled { get; set; }

    /// <summary>The namespace's host name, such as name.servicebus.windows.net.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    public string Topic { get; set; } = DefaultTopic;

    /// <summary>A user-assigned managed identity to connect with; absent: DefaultAzureCredential.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Attempts per event, the first included, before the failure is recorded on the timeline.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>The wait before the first retry; it doubles per attempt up to <see cref="MaxRetryInterval"/>.</summary>
    public TimeSpan RetryInterval { get; set; } = DefaultRetryInterval;

    /// <summary>What an incident's orchestration is told when it begins; null when events are off.</summary>
    public EventPublishingPlan? Plan => Enabled ? new EventPublishingPlan(MaxAttempts, RetryInterval) : null;
}

/// <summary>
/// How an incident's orchestration publishes its lifecycle events. Decided once, when the incident begins, and kept in
/// the orchestration's history: a replay never meets a different setting, and switching events on or off applies to
/// incidents opened afterwards.
/// </summary>
public sealed record EventPublishingPlan(int MaxAttempts, TimeSpan RetryInterval);

/// <summary>Checked on start only when events are enabled. Messages name the setting, never a value that could be secret.</summary>
public sealed partial class LifecycleEventOptionsValidator : IValidateOptions<LifecycleEventOptions>
{
    public ValidateOptionsResult Validate(string? name, LifecycleEventOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        const string s = LifecycleEventOptions.Section;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace))
        {
            failures.Add($"{s}:FullyQualifiedNamespace is required when {s}:Enabled is true: the Service Bus namespace's host name, such as name.servicebus.windows.net.");
        }
        else if (Uri.CheckHostName(options.FullyQualifiedNamespace) != UriHostNameType.Dns || !options.FullyQualifiedNamespace.Contains('.'))
        {
            failures.Add($"{s}:FullyQualifiedNamespace must be a host name such as name.servicebus.windows.net, without sb:// or https:// and without a path.");
        }

        if (string.IsNullOrWhiteSpace(options.Topic) || options.Topic.Length > 260 || !TopicName().IsMatch(options.Topic))
        {
            failures.Add($"{s}:Topic must be a Service Bus topic name: 1-260 letters, digits, '.', '-', '_' or '/', starting and ending with a letter or digit (default {LifecycleEventOptions.DefaultTopic}).");
        }

        if (!string.IsNullOrEmpty(options.ManagedIdentityClientId) && !Guid.TryParse(options.ManagedIdentityClientId, out _))
        {
            failures.Add($"{s}:ManagedIdentityClientId must be the client id (a GUID) of a user-assigned managed identity, or absent for DefaultAzureCredential.");
        }

        if (options.MaxAttempts is < 1 or > LifecycleEventOptions.MaxMaxAttempts)
        {
            failures.Add($"{s}:MaxAttempts must be between 1 and {LifecycleEventOptions.MaxMaxAttempts}.");
        }

        if (options.RetryInterval <= TimeSpan.Zero || options.RetryInterval > LifecycleEventOptions.MaxRetryInterval)
        {
            failures.Add($"{s}:RetryInterval must be more than zero and at most {LifecycleEventOptions.MaxRetryInterval:c}.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$")]
    private static partial Regex TopicName();
}
