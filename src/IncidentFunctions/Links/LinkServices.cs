using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Links;

public static class LinkServices
{
    /// <summary>
    /// The link signer. The "Links" section is validated on start, so a missing key stops a deployment at once rather
    /// than failing the first page of the first incident.
    /// </summary>
    public static IServiceCollection AddResponderLinks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResponderLinkOptions>()
            .Bind(configuration.GetSection(ResponderLinkOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ResponderLinkOptions>, ResponderLinkOptionsValidator>();
        services.AddSingleton<LinkSigner>();
        return services;
    }
}
