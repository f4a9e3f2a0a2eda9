using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Housekeeping;

public static class HousekeepingServices
{
    public static IServiceCollection AddHousekeeping(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<HousekeepingOptions, HousekeepingOptionsValidator>(configuration.GetSection(HousekeepingOptions.Section));
        services.AddSingleton<HistoryHousekeeping>();
        services.AddSingleton<RequestHousekeeping>();
        return services;
    }
}
