using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LifecycleEvents;

public static class LifecycleEventServices
{
    /// <summary>The keyed <see cref="TokenCredential"/> Service Bus connects with; register one first to use another.</summary>
    internal const string CredentialKey = "IncidentEvents";

    /// <summary>
    /// Registers <see cref="ILifecycleEventPublisher"/>: Service Bus when the "IncidentEvents" section enables it, otherwise
    /// the disabled publisher. The Service Bus client is created on first use, so an app with events off never builds one.
    /// </summary>
    public static IServiceCollection AddLifecycleEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LifecycleEventOptions, LifecycleEventOptionsValidator>(configuration.GetSection(LifecycleEventOptions.Section));
        services.AddSingleton<LifecycleEventBuilder>();

        services.TryAddKeyedSingleton(CredentialKey, (sp, _) =>
            AzureCredentials.For(sp.GetRequiredService<IOptions<LifecycleEventOptions>>().Value.ManagedIdentityClientId));
        services.TryAddSingleton(sp => new ServiceBusClient(
            sp.GetRequiredService<IOptions<LifecycleEventOptions>>().Value.FullyQualifiedNamespace,
            sp.GetRequiredKeyedService<TokenCredential>(CredentialKey),
            new ServiceBusClientOptions
            {
                // Short in-call retries: the orchestration retries a failed activity on a durable timer, which costs
                // nothing while it waits, whereas a long retry loop here would hold an activity worker.
                RetryOptions = new ServiceBusRetryOptions { MaxRetries = 2, TryTimeout = TimeSpan.FromSeconds(30) },
            }));
        services.TryAddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(sp.GetRequiredService<IOptions<LifecycleEventOptions>>().Value.Topic));

        services.AddSingleton<ILifecycleEventPublisher>(sp => sp.GetRequiredService<IOptions<LifecycleEventOptions>>().Value.Enabled
            ? new ServiceBusLifecycleEventPublisher(sp.GetRequiredService<ServiceBusSender>(), sp.GetRequiredService<ILogger<ServiceBusLifecycleEventPublisher>>())
            : new DisabledLifecycleEventPublisher(sp.GetRequiredService<ILogger<DisabledLifecycleEventPublisher>>()));
        return services;
    }
}
