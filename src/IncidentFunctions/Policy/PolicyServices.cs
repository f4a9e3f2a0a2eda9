using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Policy;

public static class PolicyServices
{
    /// <summary>
    /// Registers <see cref="PolicyProvider"/>, loaded and validated when the host starts from the source the "Policy"
    /// section names (<see cref="PolicyOptions"/>). Reading a blob uses the <c>BlobServiceClient</c> the app registers.
    /// </summary>
    public static IServiceCollection AddIncidentPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PolicyOptions, PolicyOptionsValidator>(configuration.GetSection(PolicyOptions.Section));
        services.AddSingleton<PolicyProvider>();
        services.AddHostedService<PolicyLoader>();
        return services;
    }
}
