using System.Security.Cryptography;
using System.Text.Json;
using IncidentFunctions.Ingestion;

namespace IncidentFunctions.DevHost.Local;

/// <summary>
/// Configuration as `func start` would see it: the "Values" of local.settings.json (environment variables and
/// command-line arguments still win), and, when no integration is configured, a "demo" integration whose key is
/// generated once and kept in the git-ignored state folder.
/// </summary>
public static class LocalSettings
{
    public const string DemoIntegration = "demo";

    public static void AddLocalSettings(this ConfigurationManager configuration, RepositoryPaths paths)
    {
        if (File.Exists(paths.LocalSettings))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(paths.LocalSettings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                var settings = values.EnumerateObject().ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.ToString());
                configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings });
            }
        }
    }

    /// <summary>Adds the demo integration unless integrations are configured; returns its key, or null.</summary>
    public static string? AddDemoIntegrationIfNone(this ConfigurationManager configuration, RepositoryPaths paths)
    {
        if (configuration.GetSection(IntegrationOptions.Section).GetChildren().Any())
        {
            return null;
        }

        Directory.CreateDirectory(paths.State);
        var keyFile = Path.Combine(paths.State, "demo-key");
        if (!File.Exists(keyFile))
        {
            File.WriteAllText(keyFile, "demo-" + RandomNumberGenerator.GetHexString(32, lowercase: true));
        }

        var key = File.ReadAllText(keyFile).Trim();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{IntegrationOptions.Section}:{DemoIntegration}:Secrets:0"] = key });
        return key;
    }
}
