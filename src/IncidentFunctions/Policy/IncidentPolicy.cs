namespace IncidentFunctions.Policy;

// STUB (contract only): the policy helper replaces this file.
/// <summary>A loaded, validated policy file.</summary>
public sealed class IncidentPolicy
{
    /// <summary>Identifies the content the incident was triaged with: the file's declared version plus a content hash.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>Routes the alert to a service (first matching rule, else the default) and freezes its escalation.</summary>
    public TriageResult Triage(TriageInput input) => throw new NotImplementedException();
}
