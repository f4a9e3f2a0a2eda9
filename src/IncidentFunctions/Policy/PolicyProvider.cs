namespace IncidentFunctions.Policy;

// STUB (contract only): the policy helper replaces this file.
/// <summary>The policy the app loaded and validated on start.</summary>
public sealed class PolicyProvider
{
    public IncidentPolicy Current => throw new NotImplementedException();
}
