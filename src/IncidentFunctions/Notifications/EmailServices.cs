using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Notifications;

// STUB (contract only): the email helper replaces this file.
public static class EmailServices
{
    /// <summary>Registers <see cref="IEmailSender"/> with the transport the "Email" section chooses.</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration) => services;
}
