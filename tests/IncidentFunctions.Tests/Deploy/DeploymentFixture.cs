using System.Text.Json.Nodes;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.Tests.Deploy;

/// <summary>
/// Compiles and lints infra/ once per test run with the pinned Bicep CLI, and has it predict two deployments of
/// main.bicepparam (`bicep snapshot`: every module expanded, every expression evaluated that can be before Azure
/// answers). The work happens in a copy of infra/, so nothing is written into the repository.
/// </summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c0de";
    public const string TenantId = "00000000-0000-0000-0000-0000000000aa";
    public const string ResourceGroup = "rg-incidents";
    public const string OperatorPrincipalId = "11111111-2222-3333-4444-555555555555";
    public const string AuthClientId = "99999999-8888-7777-6666-555555555555";
    public const string CustomDomain = "alerts.example.com";

    string? workspace;

    public string RepositoryRoot { get; } = RepositoryPaths.Find().Root;

    public string InfraDirectory => Path.Combine(RepositoryRoot, "infra");

    public BicepCli Bicep { get; } = BicepCli.FromPinnedPackage();

    public BicepResult Version { get; private set; } = null!;

    /// <summary>`bicep build` of every .bicep file under infra/.</summary>
    public BicepResult Build { get; private set; } = null!;

    /// <summary>`bicep lint` of every .bicep file under infra/, with infra/bicepconfig.json.</summary>
    public BicepResult Lint { get; private set; } = null!;

    /// <summary>The .bicep files under infra/, relative to it, with '/' separators.</summary>
    public IReadOnlyList<string> BicepFiles { get; private set; } = [];

    /// <summary>Each .bicep file's compiled ARM JSON, keyed like <see cref="BicepFiles"/>.</summary>
    public IReadOnlyDictionary<string, JsonObject> CompiledTemplates { get; private set; } = new Dictionary<string, JsonObject>();

    /// <summary>`azd up` on a new environment: only what azd itself sets (environment name, the signed-in user).</summary>
    public PredictedDeployment FirstDeployment { get; private set; } = null!;

    /// <summary>
    /// A later `azd provision` of a configured environment: the key exists and is being rotated, sign-in and a
    /// verified custom email domain are set up, two integrations are declared, and no operator is named.
    /// </summary>
    public PredictedDeployment ConfiguredRedeployment { get; private set; } = null!;

    public static IReadOnlyDictionary<string, string> FirstDeploymentVariables { get; } = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "incidents",
        ["AZURE_PRINCIPAL_ID"] = OperatorPrincipalId,
    };

    public static IReadOnlyDictionary<string, string> ConfiguredRedeploymentVariables { get; } = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "incidents",
        ["LINK_SIGNING_KEY_EXISTS"] = "true",
        ["LINK_SIGNING_KEY_ROTATING"] = "true",
        ["AUTH_CLIENT_ID"] = AuthClientId,
        ["EMAIL_CUSTOM_DOMAIN"] = CustomDomain,
        ["EMAIL_CUSTOM_DOMAIN_VERIFIED"] = "true",
        ["INTEGRATIONS"] = """
            {
              "prometheus": { "format": "alertmanager", "secretNames": ["integration-prometheus", "integration-prometheus-next"] },
              "svix": { "secretNames": ["integration-svix"], "signature": "standardWebhooks" },
              "grafana": { "format": "grafana", "secretNames": ["integration-grafana"], "signature": "grafanaHmac",
                           "hmacTimestampHeader": "X-Grafana-Alerting-Timestamp", "groupBy": ["alertname", "cluster"] },
              "pd": { "format": "pagerduty", "secretNames": ["integration-pd"] }
            }
            """,
    };

    public async Task InitializeAsync()
    {
        workspace = Path.Combine(Path.GetTempPath(), "incidentfunctions-bicep-" + Guid.NewGuid().ToString("N"));
        // A copy per run, so that no run reads what another one writes.
        var (compiled, linted, first, configured) = (Copy("build"), Copy("lint"), Copy("first"), Copy("configured"));
        BicepFiles = Directory.EnumerateFiles(compiled, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(compiled, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

        // Independent runs, started together: each is a separate process, and the CLI's start-up dominates.
        var version = Bicep.RunAsync(compiled, null, "--version");
        var build = Bicep.RunAsync(compiled, null, "build", "--pattern", "**/*.bicep");
        var lint = Bicep.RunAsync(linted, null, "lint", "--pattern", "**/*.bicep");
        var firstSnapshot = SnapshotAsync(first, FirstDeploymentVariables);
        var configuredSnapshot = SnapshotAsync(configured, ConfiguredRedeploymentVariables);
        await Task.WhenAll(version, build, lint, firstSnapshot, configuredSnapshot);

        Version = await version;
        Build = await build;
        Lint = await lint;
        FirstDeployment = await firstSnapshot;
        ConfiguredRedeployment = await configuredSnapshot;
        CompiledTemplates = BicepFiles
            .Where(f => File.Exists(Path.Combine(compiled, Path.ChangeExtension(f, ".json"))))
            .ToDictionary(
                f => f,
                f => JsonNode.Parse(File.ReadAllText(Path.Combine(compiled, Path.ChangeExtension(f, ".json"))))!.AsObject());
    }

    string Copy(string name)
    {
        var target = Path.Combine(workspace!, name);
        foreach (var file in Directory.EnumerateFiles(InfraDirectory, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(InfraDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    async Task<PredictedDeployment> SnapshotAsync(string directory, IReadOnlyDictionary<string, string> variables)
    {
        var result = await Bicep.RunAsync(
            directory, variables, "snapshot", "main.bicepparam", "--mode", "overwrite", "--subscription-id", SubscriptionId,
            "--tenant-id", TenantId, "--resource-group", ResourceGroup, "--location", "westeurope");
        var file = Path.Combine(directory, "main.snapshot.json");
        if (result.ExitCode != 0 || !File.Exists(file))
        {
            throw new InvalidOperationException($"The deployment could not be predicted.\n{result}");
        }

        return new PredictedDeployment(JsonNode.Parse(File.ReadAllText(file))!.AsObject(), result);
    }

    public Task DisposeAsync()
    {
        if (workspace is not null && Directory.Exists(workspace))
        {
            Directory.Delete(workspace, recursive: true);
        }

        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class DeploymentCollection : ICollectionFixture<DeploymentFixture>
{
    public const string Name = "Deployment";
}
