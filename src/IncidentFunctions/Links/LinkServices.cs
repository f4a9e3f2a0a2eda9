using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Links;

public static class LinkServices
{
    /// <summary>
    /// The link signer. The "Links" section is validated on start, so a missing key stops a deployment at once rather
    /// than failing the first page of the first incident.
    /// </summary>
    public static IServiceCollection AddResponderLinks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ResponderLinkOptions, ResponderLinkOptionsValidator>(configuration.GetSection(ResponderLinkOptions.Section));
        services.AddSingleton<LinkSigner>();
        return services;
    }
}
