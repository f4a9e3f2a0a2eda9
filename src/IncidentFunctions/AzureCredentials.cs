using Azure.Core;
using Azure.Identity;

namespace IncidentFunctions;

/// <summary>How the app signs in to Azure services (Storage, Communication Services, Service Bus), one rule for all.</summary>
public static class AzureCredentials
{
    /// <summary>
    /// The user-assigned managed identity with this client id; without one, DefaultAzureCredential, which is the
    /// system-assigned identity in Azure and the developer's own sign-in on a workstation.
    /// </summary>
    public static TokenCredential For(string? managedIdentityClientId) =>
        string.IsNullOrEmpty(managedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(managedIdentityClientId));
}
