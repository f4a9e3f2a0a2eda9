using System.Security.Cryptography;
using System.Text.Json;
using IncidentFunctions.Ingestion;

namespace IncidentFunctions.DevHost.Local;

/// <summary>
/// Configuration as `func start` would see it: the "Values" of local.settings.json (environment variables and
/// command-line arguments still win), and, unless turned off, a "demo" integration whose key is generated once and kept
/// in the git-ignored state folder.
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

    /// <summary>
    /// Local defaults for what an Azure deployment configures explicitly: the sample policy, links back to this host, a
    /// link-signing key generated once and kept in the state folder, and the housekeeping schedule. Anything configured
    /// already wins.
    /// </summary>
    public static void AddLocalLifecycleDefaults(this ConfigurationManager configuration, RepositoryPaths paths, DevHostOptions options)
    {
        var defaults = new Dictionary<string, string?>();
        if (!configuration.GetSection("Policy").GetChildren().Any())
        {
            defaults["Policy:Path"] = Path.Combine("Policy", "sample-policy.json");
        }

        if (string.IsNullOrEmpty(configuration["Links:BaseUrl"]))
        {
            defaults["Links:BaseUrl"] = $"http://localhost:{options.Port}";
        }

        if (string.IsNullOrEmpty(configuration["Links:SigningKey"]))
        {
            defaults["Links:SigningKey"] = StateSecret(paths.LinkSigningKey, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        if (string.IsNullOrEmpty(configuration[Schedules.HousekeepingSetting]))
        {
            defaults[Schedules.HousekeepingSetting] = Schedules.HousekeepingDefault;
        }

        configuration.AddInMemoryCollection(defaults);
    }

    /// <summary>Sends email to the MailDev the dev host started (when no Email transport is configured).</summary>
    public static void UseMailDev(this ConfigurationManager configuration, MailDevPorts ports) =>
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Email:Transport"] = "Smtp",
            ["Email:From"] = "incidents@localhost",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = ports.Smtp.ToString(),
            ["Email:Smtp:Security"] = "None",
        });

    /// <summary>A value generated on first use and kept in the git-ignored state folder, so restarts keep it.</summary>
    static string StateSecret(string file, Func<string> generate)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (!File.Exists(file))
        {
            File.WriteAllText(file, generate());
        }

        return File.ReadAllText(file).Trim();
    }

    /// <summary>
    /// Adds the demo integration, whose key is generated once into the state folder, beside any configured ones: a
    /// developer who adds their own integration keeps the README's walk-through. Returns its key, or null when
    /// DevHost:DemoIntegration is false or an integration named "demo" is configured (then it is theirs, as it is).
    /// </summary>
    public static string? AddDemoIntegration(this ConfigurationManager configuration, RepositoryPaths paths, DevHostOptions options)
    {
        if (!options.DemoIntegration || configuration.GetSection($"{IntegrationOptions.Section}:{DemoIntegration}").Exists())
        {
            return null;
        }

        var key = StateSecret(paths.DemoKey, () => "demo-" + RandomNumberGenerator.GetHexString(32, lowercase: true));
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{IntegrationOptions.Section}:{DemoIntegration}:Secrets:0"] = key });
        return key;
    }
}
