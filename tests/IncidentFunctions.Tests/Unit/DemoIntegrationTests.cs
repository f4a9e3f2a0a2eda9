using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Local;
using Microsoft.Extensions.Configuration;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The dev host's built-in demo integration, the README's walk-through: it stays when a developer adds integrations of
/// their own, until they turn it off; one they configure under its name is theirs.
/// </summary>
public sealed class DemoIntegrationTests : IDisposable
{
    readonly RepositoryPaths paths = new RepositoryPaths(Path.GetTempPath()).WithState(Directory.CreateTempSubdirectory("incidentfunctions-demo-").FullName);

    static ConfigurationManager Configuration(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        return configuration;
    }

    static DevHostOptions Options(IConfiguration configuration) =>
        configuration.GetSection(DevHostOptions.Section).Get<DevHostOptions>() ?? new DevHostOptions();

    [Fact]
    public void TheDemoIntegrationStaysBesideConfiguredOnes()
    {
        var configuration = Configuration(("Integrations:mine:Secrets:0", "a-secret-of-my-own-0123456789"));

        var key = configuration.AddDemoIntegration(paths, Options(configuration));

        Assert.NotNull(key);
        Assert.Equal(key, configuration[$"Integrations:{LocalSettings.DemoIntegration}:Secrets:0"]);
        Assert.Equal(key, File.ReadAllText(paths.DemoKey));
        Assert.Equal("a-secret-of-my-own-0123456789", configuration["Integrations:mine:Secrets:0"]);
    }

    [Fact]
    public void TheDemoIntegrationCanBeTurnedOff()
    {
        var configuration = Configuration(("DevHost:DemoIntegration", "false"));

        var key = configuration.AddDemoIntegration(paths, Options(configuration));

        Assert.Null(key);
        Assert.False(configuration.GetSection($"Integrations:{LocalSettings.DemoIntegration}").Exists());
    }

    [Fact]
    public void ADemoIntegrationConfiguredByTheDeveloperIsLeftAsItIs()
    {
        var configuration = Configuration(($"Integrations:{LocalSettings.DemoIntegration}:Secrets:0", "my-own-demo-secret-0123456789"));

        var key = configuration.AddDemoIntegration(paths, Options(configuration));

        Assert.Null(key);
        Assert.Equal("my-own-demo-secret-0123456789", configuration[$"Integrations:{LocalSettings.DemoIntegration}:Secrets:0"]);
        Assert.Null(configuration[$"Integrations:{LocalSettings.DemoIntegration}:Secrets:1"]);
    }

    [Fact]
    public void TheGeneratedKeyIsKeptAcrossStarts()
    {
        var first = Configuration();
        var second = Configuration(("Integrations:mine:Secrets:0", "a-secret-of-my-own-0123456789"));

        Assert.Equal(first.AddDemoIntegration(paths, Options(first)), second.AddDemoIntegration(paths, Options(second)));
    }

    public void Dispose() => Directory.Delete(paths.State, recursive: true);
}
