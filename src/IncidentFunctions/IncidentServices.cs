using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.WebConsole;
using IncidentFunctions.Functions;
using IncidentFunctions.Housekeeping;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Links;
using IncidentFunctions.Notifications;
using IncidentFunctions.Opening;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;
using IncidentFunctions.Responding;
using IncidentFunctions.Storage;
using IncidentFunctions.Timeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions;

public static class IncidentServices
{
    /// <summary>
    /// Everything the function classes need. The Functions host and the local dev host both call this, so the two
    /// run the same services with the same configuration.
    /// </summary>
    public static IServiceCollection AddIncidentServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddAccess(configuration);
        services.AddSingleton<PageRenderer>();
        services.AddSingleton<ConsoleSignIn>();
        services.AddSingleton<LinkPages>();
        services.AddSingleton<IncidentViewer>();
        services.AddSingleton<ConsoleChoices>();
        services.AddSingleton<IncidentListReader>();
        services.AddSingleton<DashboardReader>();

        var storage = StorageConnection.FromConfiguration(configuration);
        services.AddSingleton(storage);
        // A host that counts its own storage clients too (the dev host's Durable provider) registers its meter first.
        services.TryAddSingleton<StorageRequestMeter>();
        services.AddSingleton(sp => storage.CreateTableServiceClient(sp.GetRequiredService<StorageRequestMeter>()));
        services.AddSingleton(sp => storage.CreateQueueServiceClient(sp.GetRequiredService<StorageRequestMeter>()));
        services.AddSingleton(sp => storage.CreateBlobServiceClient(sp.GetRequiredService<StorageRequestMeter>()));
        services.AddHostedService<StorageBootstrap>();

        services.AddOptions<IntegrationOptions>()
            .Configure(o => configuration.GetSection(IntegrationOptions.Section).Bind(o.Items))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<IntegrationOptions>, IntegrationOptionsValidator>();

        services.AddSingleton<IntegrationAuthenticator>();
        services.AddSingleton<AlertPayloads>();
        services.AddSingleton<StandardWebhooks>();
        services.AddSingleton<HmacSignatures>();
        services.AddSingleton<AlertIntake>();
        services.AddSingleton<AlertEvidence>();
        services.AddSingleton<PagerDutyIntake>();
        services.AddSingleton<AlertProcessor>();
        services.AddSingleton<AlertHandoff>();
        services.AddSingleton<IncidentOpener>();
        services.AddSingleton<IncidentStore>();
        services.AddSingleton<IncidentAppender>();
        services.AddSingleton<TimelineStore>();
        services.AddSingleton<LifecycleActivities>();
        services.AddSingleton<IncidentPager>();
        // After StorageBootstrap: it reads tables that must exist.
        services.AddHostedService<FirstPageWarmUp>();
        services.AddSingleton<LatePages>();
        services.AddSingleton<IncidentResponder>();
        services.AddSingleton<IncidentLifecycles>();
        services.AddSingleton<IdempotentRequests>();
        services.AddSingleton<SignedInRoutes>();
        services.AddSingleton<IncidentEditor>();
        services.AddSingleton<Coordinations>();
        services.AddSingleton<IAcknowledgedFollowUp>(provider => provider.GetRequiredService<Coordinations>());
        services.AddSingleton<CoordinationActivities>();
        services.AddSingleton<TaskStore>();
        services.AddSingleton<IncidentTasks>();
        services.AddSingleton<IncidentRecord>();
        services.AddSingleton<IncidentEvidence>();
        services.AddValidatedOptions<EvidenceOptions, EvidenceOptionsValidator>(configuration.GetSection(EvidenceOptions.Section));
        services.AddSingleton<IChangeDelivery, PlaybookDelivery>();
        services.AddSingleton<IChangeDelivery, StatusUpdateDelivery>();
        services.AddSingleton<IncidentDeclarer>();
        services.AddSingleton<IncidentRecordEdits>();
        services.AddSingleton<StageChanges>();
        services.AddSingleton<SeverityEdits>();
        services.AddSingleton<MilestoneCorrections>();
        services.AddSingleton<RoleAssignments>();
        services.AddSingleton<ResponderPaging>();
        services.AddSingleton<AccessGrants>();
        services.AddSingleton<Subscriptions>();
        services.AddSingleton<IncidentMerger>();
        services.AddSingleton<IChangeDelivery, RoleAssignedDelivery>();
        services.AddSingleton<IChangeDelivery, RespondersPagedDelivery>();
        services.AddIncidentPolicy(configuration);
        services.AddEmail(configuration);
        services.AddResponderLinks(configuration);
        services.AddLifecycleEvents(configuration);
        services.AddHousekeeping(configuration);
        services.AddSingleton(new ApiDocument(typeof(IncidentServices).Assembly));
        return services;
    }
}
