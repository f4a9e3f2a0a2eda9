using Azure.Storage.Blobs;
using IncidentFunctions.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Unit;

/// <summary>Starts a real host with only the policy registered, and checks what it loads or why it refuses to start.</summary>
public sealed class PolicyLoadingTests : IDisposable
{
    const string SamplePath = "Policy/sample-policy.json";

    readonly string folder = Directory.CreateTempSubdirectory("incidentfunctions-policy-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>
    /// A host with the policy services and the given settings only: no environment variables or appsettings files, so
    /// a Policy__Path set on the machine cannot change the outcome. The blob client is never contacted here.
    /// </summary>
    static IHost HostWith(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.Services.AddLogging();
        builder.Services.AddSingleton(new BlobServiceClient("UseDevelopmentStorage=true"));
        builder.Services.AddIncidentPolicy(builder.Configuration);
        return builder.Build();
    }

    static async Task<IncidentPolicy> StartAndGetPolicy(IHost host)
    {
        await host.StartAsync();
        await host.StopAsync();
        return host.Services.GetRequiredService<PolicyProvider>().Current;
    }

    [Fact]
    public async Task ARelativePathResolvesAgainstTheAppFolder()
    {
        using var host = HostWith(("Policy:Path", SamplePath));

        var policy = await StartAndGetPolicy(host);

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "Policy", "sample-policy.json"), policy.Source);
        Assert.StartsWith("2026-11-26.1+", policy.Version);
    }

    [Fact]
    public async Task AnAbsolutePathIsReadAsItIs()
    {
        var path = Path.Combine(folder, "policy.json");
        File.Copy(Path.Combine(AppContext.BaseDirectory, SamplePath), path);
        using var host = HostWith(("Policy:Path", path));

        Assert.Equal(path, (await StartAndGetPolicy(host)).Source);
    }

    [Fact]
    public async Task TheJsonSettingHoldsThePolicyItself()
    {
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, SamplePath));
        using var host = HostWith(("Policy:Json", json));

        var policy = await StartAndGetPolicy(host);

        Assert.Equal("Policy:Json", policy.Source);
        Assert.Equal(3, policy.Counts.People);
    }

    [Fact]
    public async Task WithNoPolicySettingTheHostRefusesToStartAndNamesTheSettingsThatExist()
    {
        using var host = HostWith();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("set exactly one of Policy:Path", error.Message);
        Assert.Contains("Policy:Json", error.Message);
        Assert.Contains("Policy:Blob", error.Message);
        Assert.Contains("Policy__Path", error.Message);
        Assert.Contains("none is set", error.Message);
    }

    [Fact]
    public async Task WithTwoPolicySettingsTheHostRefusesToStartAndNamesBoth()
    {
        using var host = HostWith(("Policy:Path", SamplePath), ("Policy:Blob", "config/policy.json"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Policy:Path and Policy:Blob are set", error.Message);
    }

    [Theory]
    [InlineData("policy.json")]
    [InlineData("/policy.json")]
    [InlineData("config/")]
    public async Task ABlobSettingMustNameAContainerAndABlob(string blob)
    {
        using var host = HostWith(("Policy:Blob", blob));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Policy:Blob: must be 'container/blob-name'", error.Message);
    }

    [Fact]
    public async Task AnInvalidPolicyStopsTheHostFromStartingAndSaysWhereItCameFrom()
    {
        using var host = HostWith(("Policy:Json", """{ "people": [], "teams": [], "escalationPolicies": [], "services": [], "defaultService": "checkout" }"""));

        var error = await Assert.ThrowsAsync<InvalidPolicyException>(() => host.StartAsync());

        Assert.Equal("Policy:Json", error.PolicySource);
        Assert.StartsWith("Policy:Json: ", error.Message);
        Assert.Equal("defaultService: unknown service 'checkout'", $"{Assert.Single(error.Errors).Field}: {error.Errors[0].Message}");
    }

    [Fact]
    public async Task AMissingPolicyFileStopsTheHostAndNamesTheSettingAndThePath()
    {
        using var host = HostWith(("Policy:Path", "Policy/missing.json"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith("Policy:Path: cannot read the policy file.", error.Message);
        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "Policy", "missing.json"), error.Message);
    }

    [Fact]
    public void ReadingThePolicyBeforeItIsLoadedExplainsWhoLoadsIt()
    {
        var provider = new PolicyProvider(
            Options.Create(new PolicyOptions { Path = SamplePath }),
            new BlobServiceClient("UseDevelopmentStorage=true"),
            NullLogger<PolicyProvider>.Instance);

        var error = Assert.Throws<InvalidOperationException>(() => provider.Current);

        Assert.Contains("not loaded yet", error.Message);
        Assert.Contains(nameof(PolicyLoader), error.Message);
    }

    [Fact]
    public async Task ThePolicyIsLoadedBeforeHostedServicesRegisteredEarlierStart()
    {
        // The Functions worker registers its own hosted services before the app's; they must find the policy loaded.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("Policy:Path", (string?)SamplePath)]);
        builder.Services.AddLogging();
        builder.Services.AddSingleton(new BlobServiceClient("UseDevelopmentStorage=true"));
        builder.Services.AddHostedService<PolicyProbe>();
        builder.Services.AddIncidentPolicy(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        var probe = host.Services.GetServices<IHostedService>().OfType<PolicyProbe>().Single();
        Assert.StartsWith("2026-11-26.1+", probe.VersionSeenOnStart);
    }

    sealed class PolicyProbe(PolicyProvider provider) : IHostedService
    {
        public string? VersionSeenOnStart { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            VersionSeenOnStart = provider.Current.Version;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
