using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Links;

// STUB (contract only): the links helper replaces this file.
public static class LinkServices
{
    public static IServiceCollection AddResponderLinks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<LinkSigner>();
        return services;
    }
}
