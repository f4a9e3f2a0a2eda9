using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Http;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Links;
using IncidentFunctions.Notifications;
using IncidentFunctions.Policy;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Deploy;

/// <summary>What the deployment creates and configures is what the app's code reads, named as the code names it.</summary>
[Collection(DeploymentCollection.Name)]
public sealed partial class AppConfigurationTests(DeploymentFixture deployment)
{
    const string Config = "Microsoft.Web/sites/config";

    PredictedDeployment[] BothDeployments => [deployment.FirstDeployment, deployment.ConfiguredRedeployment];

    [Fact]
    public void StorageHoldsTheTablesQueuesAndContainersTheAppUses()
    {
        var predicted = deployment.FirstDeployment;
        var account = predicted.Single("Microsoft.Storage/storageAccounts");
        var packageLocation = (string)PredictedDeployment.Properties(predicted.Single("Microsoft.Web/sites"))["functionAppConfig"]!["deployment"]!["storage"]!["value"]!;
        var packageContainer = TrailingName().Match(packageLocation).Groups[1].Value;
        var policyContainer = PolicyOptions.BlobLocation(predicted.AppSettings["Policy__Blob"])!.Value.Container;

        Assert.Equal(StorageBootstrap.Tables.Order(StringComparer.Ordinal), Names(predicted, "Microsoft.Storage/storageAccounts/tableServices/tables"));
        Assert.Equal(StorageBootstrap.Queues.Order(StringComparer.Ordinal), Names(predicted, "Microsoft.Storage/storageAccounts/queueServices/queues"));
        Assert.Equal(
            StorageBootstrap.Containers.Append(policyContainer).Append(packageContainer).Order(StringComparer.Ordinal),
            Names(predicted, "Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Contains($"reference('{account["id"]}', ", packageLocation, StringComparison.Ordinal);
        Assert.Equal((string)account["name"]!, predicted.AppSettings["AzureWebJobsStorage__accountName"]);
    }

    [Fact]
    public void ParkedAlertBatchesExpireAndNothingElseDoes()
    {
        var management = deployment.FirstDeployment.Single("Microsoft.Storage/storageAccounts/managementPolicies");
        var rule = Assert.Single(PredictedDeployment.Properties(management)["policy"]!["rules"]!.AsArray())!;
        var definition = rule["definition"]!;

        Assert.Equal([BlobContainers.AlertPayloads + "/"], definition["filters"]!["prefixMatch"]!.AsArray().Select(p => (string)p!));
        var days = (int)definition["actions"]!["baseBlob"]!["delete"]!["daysAfterCreationGreaterThan"]!;

        // A parked batch must outlive the queue message that points at it (7 days at most, poison queue included).
        Assert.InRange(days, 8, 365);
    }

    /// <summary>
    /// The app's own composition root accepts the deployed settings: every options class binds and passes its
    /// validator, storage is identity-based and email goes through ACS with a token. Values only Azure knows (client
    /// ids, host names, what Key Vault holds) are replaced by values of the same shape.
    /// </summary>
    [Fact]
    public void TheAppsServicesStartWithTheDeployedSettings()
    {
        foreach (var predicted in BothDeployments)
        {
            var configuration = AsTheAppSeesThem(predicted.AppSettings);
            using var provider = new ServiceCollection().AddLogging().AddIncidentServices(configuration).BuildServiceProvider();
            provider.GetRequiredService<IStartupValidator>().Validate();

            var email = provider.GetRequiredService<IOptions<EmailOptions>>().Value;
            Assert.Equal(EmailTransport.Acs, email.Transport);
            Assert.Null(email.Acs.AccessKey);
            Assert.IsType<AcsEmailSender>(provider.GetRequiredService<IEmailSender>());
            Assert.False(string.IsNullOrEmpty(email.Acs.ManagedIdentityClientId));
            Assert.Equal(configuration[ResponderLinkOptions.Section + ":" + nameof(ResponderLinkOptions.SigningKey)], provider.GetRequiredService<IOptions<ResponderLinkOptions>>().Value.SigningKey);
            Assert.Equal(predicted.AppSettings["Policy__Blob"], provider.GetRequiredService<IOptions<PolicyOptions>>().Value.Blob);
            Assert.Null(provider.GetRequiredService<StorageConnection>().ConnectionString);
            Assert.True(provider.GetRequiredService<IOptions<AuthenticationOptions>>().Value.TrustsPrincipalHeader);
        }
    }

    /// <summary>
    /// Every integration setting the deployment writes reaches the property it names, with the value the app reads for
    /// it (for a secret, what Key Vault holds). A name the binder does not know binds nothing and fails no validator:
    /// the app would start without that integration, or without one of its secrets.
    /// </summary>
    [Fact]
    public void TheAppBindsEveryIntegrationTheDeploymentDeclares()
    {
        foreach (var predicted in BothDeployments)
        {
            var configuration = AsTheAppSeesThem(predicted.AppSettings);
            using var provider = new ServiceCollection().AddLogging().AddIncidentServices(configuration).BuildServiceProvider();
            var integrations = provider.GetRequiredService<IOptions<IntegrationOptions>>().Value.Items;

            // Integrations__{name}__{property}, and __{index} for a list.
            var declared = predicted.AppSettings.Keys.Where(k => k.StartsWith(IntegrationOptions.Section + "__", StringComparison.Ordinal)).Select(k => k.Split("__")).ToList();
            Assert.Equal(declared.Select(k => k[1]).Distinct().Order(StringComparer.Ordinal), integrations.Keys.Order(StringComparer.Ordinal));
            foreach (var key in declared)
            {
                var property = typeof(Ingestion.IntegrationSettings).GetProperty(key[2], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                Assert.True(property is not null, $"{string.Join("__", key)} names no property of {nameof(Ingestion.IntegrationSettings)}");
                var value = property.GetValue(integrations[key[1]]);
                var bound = key.Length == 4 ? ((IList<string>)value!).ElementAtOrDefault(int.Parse(key[3], CultureInfo.InvariantCulture)) : value?.ToString();
                Assert.Equal(configuration[string.Join(':', key)], bound);
            }
        }

        Assert.Contains(deployment.ConfiguredRedeployment.AppSettings.Keys, k => k.StartsWith(IntegrationOptions.Section + "__", StringComparison.Ordinal));
    }

    [Fact]
    public void EmailedLinksPointAtTheAppsOwnHttpsAddress()
    {
        var predicted = deployment.FirstDeployment;
        var site = predicted.Single("Microsoft.Web/sites");

        Assert.StartsWith("[format('https://{0}', ", predicted.AppSettings["Links__BaseUrl"], StringComparison.Ordinal);
        Assert.EndsWith($"reference('{site["id"]}', '{site["apiVersion"]}').defaultHostName)]", predicted.AppSettings["Links__BaseUrl"], StringComparison.Ordinal);
    }

    [Fact]
    public void EmailGoesThroughCommunicationServicesFromTheAzureManagedDomain()
    {
        var predicted = deployment.FirstDeployment;
        var communication = predicted.Single("Microsoft.Communication/communicationServices");
        var domain = Assert.Single(predicted.OfType("Microsoft.Communication/emailServices/domains"));

        Assert.Equal("AzureManaged", (string?)PredictedDeployment.Properties(domain)["domainManagement"]);
        Assert.Equal([(string)domain["id"]!], LinkedDomains(communication));
        Assert.Equal("Acs", predicted.AppSettings["Email__Transport"]);
        Assert.Equal($"[format('https://{{0}}', reference('{communication["id"]}', '{communication["apiVersion"]}').hostName)]", predicted.AppSettings["Email__Acs__Endpoint"]);
        Assert.Equal($"[format('DoNotReply@{{0}}', reference('{domain["id"]}', '{domain["apiVersion"]}').mailFromSenderDomain)]", predicted.AppSettings["Email__From"]);
        Assert.Equal("IncidentFunctions", predicted.AppSettings["Email__FromName"]);
    }

    [Fact]
    public void AVerifiedCustomDomainIsLinkedAndBecomesTheSender()
    {
        var predicted = deployment.ConfiguredRedeployment;
        var domains = predicted.OfType("Microsoft.Communication/emailServices/domains");
        var custom = Assert.Single(domains, d => (string?)PredictedDeployment.Properties(d)["domainManagement"] == "CustomerManaged");

        Assert.EndsWith("/" + DeploymentFixture.CustomDomain, (string)custom["id"]!, StringComparison.Ordinal);
        Assert.Equal(domains.Select(d => (string)d["id"]!).Order(StringComparer.Ordinal), LinkedDomains(predicted.Single("Microsoft.Communication/communicationServices")).Order(StringComparer.Ordinal));
        Assert.Equal("DoNotReply@" + DeploymentFixture.CustomDomain, predicted.AppSettings["Email__From"]);
    }

    [Fact]
    public void LifecycleEventsGoToTheIncidentEventsTopicWithDuplicateDetection()
    {
        var predicted = deployment.FirstDeployment;
        var serviceBus = predicted.Single("Microsoft.ServiceBus/namespaces");
        var topic = predicted.Single("Microsoft.ServiceBus/namespaces/topics");
        var settings = predicted.AppSettings;

        Assert.Equal("Standard", (string?)serviceBus["sku"]!["name"]);
        Assert.EndsWith("/incident-events", (string)topic["name"]!, StringComparison.Ordinal);
        Assert.True((bool)PredictedDeployment.Properties(topic)["requiresDuplicateDetection"]!);
        Assert.Equal("incident-events", settings["IncidentEvents__Topic"]);
        Assert.Equal("true", settings["IncidentEvents__Enabled"]);
        Assert.Contains($"reference('{serviceBus["id"]}', ", settings["IncidentEvents__FullyQualifiedNamespace"], StringComparison.Ordinal);
        Assert.Contains(").serviceBusEndpoint", settings["IncidentEvents__FullyQualifiedNamespace"], StringComparison.Ordinal);
        Assert.True(predicted.IsIdentityProperty(settings["IncidentEvents__ManagedIdentityClientId"], "clientId"));
    }

    /// <summary>
    /// The Functions host runs no housekeeping without its schedule setting, so every deployment sets it, to the
    /// schedule the dev host uses, as the example local settings for `func start` do.
    /// </summary>
    [Fact]
    public void EveryDeploymentAndTheExampleLocalSettingsScheduleHousekeeping()
    {
        var setting = Schedules.HousekeepingSetting.Replace(":", "__", StringComparison.Ordinal);
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Find().Root, "local.settings.example.json")))!;

        Assert.All(BothDeployments, predicted => Assert.Equal(Schedules.HousekeepingDefault, predicted.AppSettings[setting]));
        Assert.Equal(Schedules.HousekeepingDefault, (string?)example["Values"]![setting]);
    }

    /// <summary>
    /// Every HTTP route the app declares is either behind sign-in or, for those that carry their own credentials
    /// (an integration's secret or signature; an Events API routing key; a signed link token), the public API
    /// description and the console's static files (the links' pages use its stylesheet), reachable without it. A new route fails here until someone decides which it is.
    /// </summary>
    [Fact]
    public void SignInIsRequiredEverywhereExceptWebhooksEmailedLinksTheApiDocumentAndConsoleAssets()
    {
        string[] carryTheirOwnCredentials = [nameof(Routes.Alerts), nameof(Routes.PagerDutyEvents), nameof(Routes.ResponderLink)];
        string[] publicByDecision = [nameof(Routes.ApiDocument), nameof(Routes.ConsoleAsset)];
        var routes = typeof(Routes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(Routes.Prefix))
            .ToDictionary(f => f.Name, f => $"/{Routes.Prefix}/{RouteParameter().Replace((string)f.GetRawConstantValue()!, "sample")}");

        foreach (var predicted in BothDeployments)
        {
            var auth = PredictedDeployment.Properties(predicted.Child(Config, "authsettingsV2"));
            var validation = auth["globalValidation"]!;
            var excluded = validation["excludedPaths"]!.AsArray().Select(p => (string)p!).ToList();

            Assert.True((bool)auth["platform"]!["enabled"]!);
            Assert.True((bool)auth["httpSettings"]!["requireHttps"]!);
            Assert.True((bool)validation["requireAuthentication"]!);
            Assert.All(routes, route => Assert.True(
                carryTheirOwnCredentials.Concat(publicByDecision).Contains(route.Key) == excluded.Any(p => Matches(p, route.Value)),
                $"{route.Key} ({route.Value}) is {(excluded.Any(p => Matches(p, route.Value)) ? "anonymous" : "behind sign-in")}"));
            Assert.All(excluded, p => Assert.Contains(routes.Values, path => Matches(p, path)));
        }
    }

    /// <summary>
    /// The app believes X-MS-CLIENT-PRINCIPAL only when told App Service Authentication is on; the template that turns
    /// it on says so, in every deployment (without an app registration Easy Auth still runs, answering 401 itself).
    /// </summary>
    [Fact]
    public void TheAppIsToldThatAppServiceAuthenticationSetsThePrincipalHeader()
    {
        foreach (var predicted in BothDeployments)
        {
            var auth = PredictedDeployment.Properties(predicted.Child(Config, "authsettingsV2"));

            Assert.True((bool)auth["platform"]!["enabled"]!);
            Assert.Equal("true", predicted.AppSettings[AuthenticationOptions.EasyAuthEnabledSetting]);
        }
    }

    /// <summary>Without an app registration there is no sign-in to send a browser to: everything unauthenticated is 401.</summary>
    [Fact]
    public void WithoutAnAppRegistrationTheApiStaysClosed()
    {
        var predicted = deployment.FirstDeployment;
        var auth = PredictedDeployment.Properties(predicted.Child(Config, "authsettingsV2"));

        Assert.Empty(auth["identityProviders"]!.AsObject());
        Assert.True((bool)auth["globalValidation"]!["requireAuthentication"]!);
        Assert.Equal("Return401", (string?)auth["globalValidation"]!["unauthenticatedClientAction"]);
        Assert.Null(auth["globalValidation"]!["redirectToProvider"]);
        Assert.DoesNotContain("OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID", predicted.AppSettings.Keys);
    }

    /// <summary>
    /// With an app registration, a signed-out browser opening the console is sent to Entra ID's sign-in and back, not
    /// shown a bare 401; App Service still answers 401 to clients that are not browsers.
    /// </summary>
    [Fact]
    public void WithAnAppRegistrationASignedOutBrowserIsSentToEntraId()
    {
        var validation = PredictedDeployment.Properties(deployment.ConfiguredRedeployment.Child(Config, "authsettingsV2"))["globalValidation"]!;

        Assert.True((bool)validation["requireAuthentication"]!);
        Assert.Equal("RedirectToLoginPage", (string?)validation["unauthenticatedClientAction"]);
        Assert.Equal("azureactivedirectory", (string?)validation["redirectToProvider"]);
    }

    [Fact]
    public void SignInUsesTheAppsIdentityInsteadOfAClientSecret()
    {
        var predicted = deployment.ConfiguredRedeployment;
        var entra = PredictedDeployment.Properties(predicted.Child(Config, "authsettingsV2"))["identityProviders"]!["azureActiveDirectory"]!;
        var registration = entra["registration"]!;

        Assert.True((bool)entra["enabled"]!);
        Assert.Equal(DeploymentFixture.AuthClientId, (string?)registration["clientId"]);
        Assert.Equal("OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID", (string?)registration["clientSecretSettingName"]);
        Assert.True(predicted.IsIdentityProperty(predicted.AppSettings["OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID"], "clientId"));
        Assert.Equal(DeploymentFixture.TenantId, predicted.AppSettings["WEBSITE_AUTH_AAD_ALLOWED_TENANTS"]);
        Assert.Equal(
            $"[format('{{0}}{{1}}/v2.0', environment().authentication.loginEndpoint, '{DeploymentFixture.TenantId}')]",
            (string?)registration["openIdIssuer"]);
        Assert.Contains($"api://{DeploymentFixture.AuthClientId}", entra["validation"]!["allowedAudiences"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public void IntegrationsAreDeclaredWithKeyVaultReferencesOnly()
    {
        var settings = deployment.ConfiguredRedeployment.AppSettings
            .Where(s => s.Key.StartsWith(IntegrationOptions.Section + "__", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value);

        Assert.Equal(
            [
                "Integrations__grafana__Format", "Integrations__grafana__GroupBy__0", "Integrations__grafana__GroupBy__1",
                "Integrations__grafana__HmacSecrets__0", "Integrations__grafana__HmacTimestampHeader",
                "Integrations__pd__Format", "Integrations__pd__Secrets__0",
                "Integrations__prometheus__Format", "Integrations__prometheus__Secrets__0", "Integrations__prometheus__Secrets__1",
                "Integrations__svix__Format", "Integrations__svix__WebhookSecrets__0",
            ],
            settings.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(AlertFormats.Alertmanager, settings["Integrations__prometheus__Format"]);
        Assert.Equal(AlertFormats.Generic, settings["Integrations__svix__Format"]);
        Assert.EndsWith(", 'integration-prometheus')]", settings["Integrations__prometheus__Secrets__0"], StringComparison.Ordinal);
        Assert.EndsWith(", 'integration-prometheus-next')]", settings["Integrations__prometheus__Secrets__1"], StringComparison.Ordinal);
        Assert.EndsWith(", 'integration-svix')]", settings["Integrations__svix__WebhookSecrets__0"], StringComparison.Ordinal);
        Assert.EndsWith(", 'integration-grafana')]", settings["Integrations__grafana__HmacSecrets__0"], StringComparison.Ordinal);
        Assert.Equal(AlertFormats.PagerDuty, settings["Integrations__pd__Format"]);
        Assert.Equal("X-Grafana-Alerting-Timestamp", settings["Integrations__grafana__HmacTimestampHeader"]);
        Assert.Equal(["alertname", "cluster"], [settings["Integrations__grafana__GroupBy__0"], settings["Integrations__grafana__GroupBy__1"]]);
        Assert.All(
            settings.Where(s => s.Key.Contains("Secrets__", StringComparison.Ordinal)),
            s => Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0}secrets/{1})', ", s.Value, StringComparison.Ordinal));
        Assert.DoesNotContain(deployment.FirstDeployment.AppSettings.Keys, k => k.StartsWith(IntegrationOptions.Section, StringComparison.Ordinal));
    }

    /// <summary>The app settings as the app reads them in Azure: resolved, and beside the variables App Service sets.</summary>
    static IConfiguration AsTheAppSeesThem(IReadOnlyDictionary<string, string> settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WEBSITE_SITE_NAME"] = "func-sample",
                ["WEBSITE_INSTANCE_ID"] = "3c2a7b8e1f4c55a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f",
            })
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)Resolve(s.Key, s.Value))))
            .Build();

    /// <summary>What the app would read for a value Azure fills in when it deploys.</summary>
    static string Resolve(string name, string value)
    {
        if (!value.StartsWith('['))
        {
            return value;
        }

        if (value.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal))
        {
            return name.Contains("__WebhookSecrets__", StringComparison.Ordinal) ? "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
                : name.StartsWith("Integrations__", StringComparison.Ordinal) ? Convert.ToHexString(RandomNumberGenerator.GetBytes(16))
                : Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }

        return name switch
        {
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" => "ClientId=6f6c2e1b-8c8e-4a5e-9d55-3c0f1f2a7b10;Authorization=AAD",
            "APPLICATIONINSIGHTS_CONNECTION_STRING" => "InstrumentationKey=2b0a9c1e-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
            "Email__Acs__Endpoint" => "https://acs-sample.europe.communication.azure.com",
            "Email__From" => "DoNotReply@00000000-0000-0000-0000-000000000000.azurecomm.net",
            "Links__BaseUrl" => "https://func-sample.azurewebsites.net",
            "IncidentEvents__FullyQualifiedNamespace" => "sb-sample.servicebus.windows.net",
            _ when value.EndsWith(").clientId]", StringComparison.Ordinal) => "6f6c2e1b-8c8e-4a5e-9d55-3c0f1f2a7b10",
            _ => throw new Xunit.Sdk.XunitException($"{name} is only known once deployed ({value}); add what the app would read."),
        };
    }

    static IEnumerable<string> Names(PredictedDeployment predicted, string type) =>
        predicted.OfType(type).Select(r => ((string)r["name"]!).Split('/')[^1]).Order(StringComparer.Ordinal);

    static IEnumerable<string> LinkedDomains(JsonObject communication) =>
        PredictedDeployment.Properties(communication)["linkedDomains"]!.AsArray().Select(d => (string)d!);

    /// <summary>App Service Authentication's excluded paths: exact, or a prefix when they end in /*.</summary>
    static bool Matches(string excluded, string path) =>
        excluded.EndsWith("/*", StringComparison.Ordinal)
            ? path.StartsWith(excluded[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(path, excluded, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@", '([^']+)'\)\]$")]
    private static partial Regex TrailingName();
}
