using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Notifications;

public static class EmailServices
{
    /// <summary>Registers <see cref="IEmailSender"/> with the transport the "Email" section chooses.</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();

        services.AddSingleton<SmtpEmailSender>();

        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Transport switch
        {
            EmailTransport.Smtp => sp.GetRequiredService<SmtpEmailSender>(),
            var transport => throw new InvalidOperationException($"{EmailOptions.Section}:Transport '{transport}' is not a transport."),
        });
        return services;
    }
}
