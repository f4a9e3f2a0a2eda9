using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace IncidentFunctions.Tests.Deploy;

/// <summary>No keys anywhere, TLS 1.2 and HTTPS everywhere, and secrets that stay in Key Vault.</summary>
[Collection(DeploymentCollection.Name)]
public sealed partial class SecurityTests(DeploymentFixture deployment)
{
    // Settings Flex Consumption refuses or ignores (Microsoft's list of Flex Consumption deprecations): the runtime and
    // the package location live in functionAppConfig instead.
    static readonly string[] SettingsFlexConsumptionRejects =
    [
        "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE",
        "WEBSITE_NODE_DEFAULT_VERSION", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD",
    ];

    PredictedDeployment[] BothDeployments => [deployment.FirstDeployment, deployment.ConfiguredRedeployment];

    [Fact]
    public void NoTemplateReadsKeysOrBuildsAConnectionStringWithOne()
    {
        Assert.NotEmpty(deployment.CompiledTemplates);
        foreach (var (file, template) in deployment.CompiledTemplates)
        {
            var text = template.ToJsonString();
            Assert.False(ListFunction().IsMatch(text), $"{file} calls {ListFunction().Match(text).Value}");
            Assert.DoesNotContain("AccountKey=", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessKey", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void AppSettingsHoldNoAccountKeysOrCredentials()
    {
        foreach (var predicted in BothDeployments)
        {
            var settings = predicted.AppSettings;
            Assert.NotEmpty(settings);
            Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
            Assert.DoesNotContain("Email__Acs__AccessKey", settings.Keys);
            Assert.All(settings, s =>
            {
                Assert.False(Credential().IsMatch(s.Value), $"{s.Key} looks like it carries a credential: {s.Value}");
                Assert.False(
                    s.Key.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase) && s.Key != "APPLICATIONINSIGHTS_CONNECTION_STRING",
                    $"{s.Key} is a connection string");
                Assert.False(
                    (s.Key.Contains("Password", StringComparison.OrdinalIgnoreCase) || s.Key.EndsWith("Key", StringComparison.Ordinal)) && !IsKeyVaultReference(s.Value),
                    $"{s.Key} holds a secret that is not a Key Vault reference");
            });
        }
    }

    [Fact]
    public void AppSettingsIncludeNothingFlexConsumptionRejects()
    {
        foreach (var predicted in BothDeployments)
        {
            Assert.All(SettingsFlexConsumptionRejects, name => Assert.DoesNotContain(name, predicted.AppSettings.Keys));
        }
    }

    [Fact]
    public void StorageAcceptsOnlyIdentitiesOverTls12()
    {
        var account = PredictedDeployment.Properties(deployment.FirstDeployment.Single("Microsoft.Storage/storageAccounts"));

        Assert.False((bool)account["allowSharedKeyAccess"]!);
        Assert.True((bool)account["defaultToOAuthAuthentication"]!);
        Assert.False((bool)account["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)account["minimumTlsVersion"]);
        Assert.True((bool)account["supportsHttpsTrafficOnly"]!);

        var containers = deployment.FirstDeployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal("None", (string?)PredictedDeployment.Properties(c)["publicAccess"]));
    }

    [Fact]
    public void FunctionAppIsHttpsOnlyWithTls12AndNoPasswordPublishing()
    {
        var site = PredictedDeployment.Properties(deployment.FirstDeployment.Single("Microsoft.Web/sites"));
        var siteConfig = site["siteConfig"]!;

        Assert.True((bool)site["httpsOnly"]!);
        Assert.Equal("1.2", (string?)siteConfig["minTlsVersion"]);
        Assert.Equal("1.2", (string?)siteConfig["scmMinTlsVersion"]);
        Assert.Equal("Disabled", (string?)siteConfig["ftpsState"]);

        var publishing = deployment.FirstDeployment.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(["ftp", "scm"], publishing.Select(p => ((string)p["name"]!).Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.All(publishing, p => Assert.False((bool)PredictedDeployment.Properties(p)["allow"]!));
    }

    [Fact]
    public void FunctionAppRunsOnFlexConsumptionWithTheDotnetVersionTheAppTargets()
    {
        var targetFramework = XDocument.Load(Path.Combine(deployment.RepositoryRoot, "Directory.Build.props"))
            .Descendants("TargetFramework").Single().Value;
        var plan = deployment.FirstDeployment.Single("Microsoft.Web/serverfarms");
        var site = deployment.FirstDeployment.Single("Microsoft.Web/sites");
        var config = PredictedDeployment.Properties(site)["functionAppConfig"]!;

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True((bool)PredictedDeployment.Properties(plan)["reserved"]!);
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal((string)plan["id"]!, (string?)PredictedDeployment.Properties(site)["serverFarmId"]);
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal(targetFramework.Replace("net", string.Empty, StringComparison.Ordinal), (string?)config["runtime"]!["version"]);
    }

    [Fact]
    public void FunctionAppActsOnlyAsItsUserAssignedIdentity()
    {
        var predicted = deployment.FirstDeployment;
        var site = predicted.Single("Microsoft.Web/sites");
        var identity = site["identity"]!;
        var deploymentStorage = PredictedDeployment.Properties(site)["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("UserAssigned", (string?)identity["type"]);
        Assert.Equal([predicted.IdentityId], identity["userAssignedIdentities"]!.AsObject().Select(i => i.Key));
        Assert.Equal(predicted.IdentityId, (string?)PredictedDeployment.Properties(site)["keyVaultReferenceIdentity"]);
        Assert.Equal("UserAssignedIdentity", (string?)deploymentStorage["authentication"]!["type"]);
        Assert.Equal(predicted.IdentityId, (string?)deploymentStorage["authentication"]!["userAssignedIdentityResourceId"]);

        var settings = predicted.AppSettings;
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.All(
            new[] { "AzureWebJobsStorage__clientId", "Email__Acs__ManagedIdentityClientId", "IncidentEvents__ManagedIdentityClientId", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" },
            name => Assert.True(predicted.IsIdentityProperty(settings[name], "clientId"), $"{name} = {settings[name]}"));
    }

    [Fact]
    public void TelemetryIsAcceptedOnlyWithAnEntraToken()
    {
        var predicted = deployment.FirstDeployment;
        var component = predicted.Single("Microsoft.Insights/components");
        var workspace = predicted.Single("Microsoft.OperationalInsights/workspaces");

        Assert.True((bool)PredictedDeployment.Properties(component)["DisableLocalAuth"]!);
        Assert.True((bool)PredictedDeployment.Properties(workspace)["features"]!["disableLocalAuth"]!);
        Assert.Equal((string)workspace["id"]!, (string?)PredictedDeployment.Properties(component)["WorkspaceResourceId"]);
        Assert.Contains($"reference('{component["id"]}', ", predicted.AppSettings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
        Assert.Matches(@"^\[format\('ClientId=\{0\};Authorization=AAD', ", predicted.AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void ServiceBusAndCommunicationServicesRefuseKeys()
    {
        var serviceBus = PredictedDeployment.Properties(deployment.FirstDeployment.Single("Microsoft.ServiceBus/namespaces"));
        var communication = PredictedDeployment.Properties(deployment.FirstDeployment.Single("Microsoft.Communication/communicationServices"));

        Assert.True((bool)serviceBus["disableLocalAuth"]!);
        Assert.Equal("1.2", (string?)serviceBus["minimumTlsVersion"]);
        Assert.True((bool)communication["disableLocalAuth"]!);
    }

    [Fact]
    public void KeyVaultIsRoleBasedWithSoftDeleteAndPurgeProtection()
    {
        var vault = PredictedDeployment.Properties(deployment.FirstDeployment.Single("Microsoft.KeyVault/vaults"));

        Assert.True((bool)vault["enableRbacAuthorization"]!);
        Assert.True((bool)vault["enableSoftDelete"]!);
        Assert.True((bool)vault["enablePurgeProtection"]!);
        Assert.True(vault["accessPolicies"] is null || vault["accessPolicies"]!.AsArray().Count == 0);
    }

    [Fact]
    public void TheLinkSigningKeyIsGeneratedIntoKeyVaultAndReferencedFromThere()
    {
        var predicted = deployment.FirstDeployment;
        var vault = predicted.Single("Microsoft.KeyVault/vaults");
        var secret = predicted.Single("Microsoft.KeyVault/vaults/secrets");
        var value = (string)PredictedDeployment.Properties(secret)["value"]!;
        var reference = predicted.AppSettings["Links__SigningKey"];

        // Random per deployment, never a value written in the template.
        Assert.Matches(@"^\[base64\(format\('\{0\}\{1\}', newGuid\(\), newGuid\(\)\)\)\]$", value);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0}secrets/{1})', ", reference, StringComparison.Ordinal);
        Assert.Contains($"reference('{vault["id"]}', ", reference, StringComparison.Ordinal);
        Assert.EndsWith($", '{((string)secret["name"]!).Split('/')[^1]}')]", reference, StringComparison.Ordinal);
        Assert.DoesNotContain("Links__PreviousSigningKey", predicted.AppSettings.Keys);
    }

    [Fact]
    public void ARedeploymentLeavesTheSigningKeyInKeyVaultAlone()
    {
        var predicted = deployment.ConfiguredRedeployment;

        Assert.Empty(predicted.OfType("Microsoft.KeyVault/vaults/secrets"));
        Assert.True(IsKeyVaultReference(predicted.AppSettings["Links__SigningKey"]));
    }

    [Fact]
    public void DuringARotationThePreviousKeyAlsoComesFromKeyVault()
    {
        var settings = deployment.ConfiguredRedeployment.AppSettings;

        Assert.True(IsKeyVaultReference(settings["Links__PreviousSigningKey"]));
        Assert.EndsWith(", 'link-signing-key-previous')]", settings["Links__PreviousSigningKey"], StringComparison.Ordinal);
        Assert.EndsWith(", 'link-signing-key')]", settings["Links__SigningKey"], StringComparison.Ordinal);
    }

    [Fact]
    public void OutputsAreTheValuesAzdNeedsAndNoSecrets()
    {
        var main = deployment.CompiledTemplates["main.bicep"];
        var outputs = main["outputs"]!.AsObject();

        Assert.Equal(
            ["ALERTS_URL", "AZURE_FUNCTION_APP_NAME", "AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID", "AZURE_KEY_VAULT_NAME", "AZURE_STORAGE_ACCOUNT_NAME", "LINK_SIGNING_KEY_EXISTS", "SERVICE_API_URI"],
            outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        foreach (var (file, template) in deployment.CompiledTemplates)
        {
            var secureParameters = (template["parameters"]?.AsObject() ?? new JsonObject())
                .Where(p => ((string?)p.Value!["type"])?.StartsWith("secure", StringComparison.OrdinalIgnoreCase) == true)
                .Select(p => p.Key)
                .ToList();
            foreach (var (name, output) in template["outputs"]?.AsObject() ?? new JsonObject())
            {
                var text = output!.ToJsonString();
                Assert.DoesNotContain("secure", (string?)output["type"] ?? string.Empty, StringComparison.OrdinalIgnoreCase);
                Assert.False(ListFunction().IsMatch(text), $"{file} output {name} calls a list function");
                Assert.DoesNotContain("/secrets/", text, StringComparison.OrdinalIgnoreCase);
                Assert.All(secureParameters, p => Assert.DoesNotContain($"parameters('{p}')", text, StringComparison.Ordinal));
            }
        }

        Assert.Contains("linkSigningKey", main["parameters"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("newGuid", deployment.FirstDeployment.Outputs.ToJsonString(), StringComparison.Ordinal);
    }

    static bool IsKeyVaultReference(string value) =>
        value.StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal) ||
        value.StartsWith("[format('@Microsoft.KeyVault(", StringComparison.Ordinal);

    [GeneratedRegex(@"\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListFunction();

    [GeneratedRegex("AccountKey|SharedAccessKey|SharedAccessSignature|DefaultEndpointsProtocol|[?&]sig=|listKeys|Password=", RegexOptions.IgnoreCase)]
    private static partial Regex Credential();
}
