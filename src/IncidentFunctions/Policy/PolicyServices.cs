using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Policy;

public static class PolicyServices
{
    /// <summary>
    /// Registers <see cref="PolicyProvider"/>, loaded and validated when the host starts from the source the "Policy"
    /// section names (<see cref="PolicyOptions"/>). Reading a blob uses the <c>BlobServiceClient</c> the app registers.
    /// </summary>
    public static IServiceCollection AddIncidentPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PolicyOptions>()
            .Bind(configuration.GetSection(PolicyOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>();
        services.AddSingleton<PolicyProvider>();
        services.AddHostedService<PolicyLoader>();
        return services;
    }
}
