using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Policy;

// STUB (contract only): the policy helper replaces this file.
public static class PolicyServices
{
    public static IServiceCollection AddIncidentPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PolicyProvider>();
        return services;
    }
}
