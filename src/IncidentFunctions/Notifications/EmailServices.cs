using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Notifications;

public static class EmailServices
{
    /// <summary>The keyed <see cref="TokenCredential"/> ACS tokens come from; register one first to use another.</summary>
    internal const string AcsCredentialKey = "Email:Acs";

    /// <summary>Registers <see cref="IEmailSender"/> with the transport the "Email" section chooses.</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<EmailOptions, EmailOptionsValidator>(configuration.GetSection(EmailOptions.Section));
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<SmtpConnections>();
        services.AddHostedService<SmtpKeepWarm>();
        services.AddSingleton<SmtpEmailSender>();

        services.AddHttpClient(AcsEmailSender.HttpClientName, http =>
            {
                // ACS answers a send in well under a second; a hung attempt should become a retry, not hold the activity.
                http.Timeout = TimeSpan.FromSeconds(30);
            })
            .RedactLoggedHeaders(_ => true);
        services.TryAddKeyedSingleton(AcsCredentialKey, (sp, _) =>
            AzureCredentials.For(sp.GetRequiredService<IOptions<EmailOptions>>().Value.Acs.ManagedIdentityClientId));
        services.AddSingleton(sp =>
        {
            var acs = sp.GetRequiredService<IOptions<EmailOptions>>().Value.Acs;
            var time = sp.GetRequiredService<TimeProvider>();
            AcsAuthentication authentication = string.IsNullOrEmpty(acs.AccessKey)
                ? new AcsTokenAuthentication(sp.GetRequiredKeyedService<TokenCredential>(AcsCredentialKey), time)
                : new AcsAccessKeyAuthentication(acs.AccessKey, time);
            return new AcsEmailSender(
                sp.GetRequiredService<IHttpClientFactory>(),
                sp.GetRequiredService<IOptions<EmailOptions>>(),
                authentication,
                time,
                sp.GetRequiredService<ILogger<AcsEmailSender>>());
        });

        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Transport switch
        {
            EmailTransport.Smtp => sp.GetRequiredService<SmtpEmailSender>(),
            EmailTransport.Acs => sp.GetRequiredService<AcsEmailSender>(),
            var transport => throw new InvalidOperationException($"{EmailOptions.Section}:Transport '{transport}' is not a transport."),
        });
        return services;
    }
}
