using Azure.Storage.Blobs;
using IncidentFunctions.Policy;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Integration;

/// <summary>Policy:Blob against real Blob Storage (Azurite), through the same client the app registers.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PolicyBlobTests(AzuriteFixture azurite) : IAsyncLifetime
{
    const string BlobName = "prod/policy.json";

    readonly BlobContainerClient container = azurite.Blobs.GetBlobContainerClient("policy-" + Guid.NewGuid().ToString("N")[..8]);

    static byte[] Sample => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Policy", "sample-policy.json"));

    PolicyProvider ProviderFor(string blob) =>
        new(Options.Create(new PolicyOptions { Blob = blob }), azurite.Blobs, NullLogger<PolicyProvider>.Instance);

    public async Task InitializeAsync() => await container.CreateAsync();

    public async Task DisposeAsync() => await container.DeleteAsync();

    [Fact]
    public async Task ABlobSettingReadsThePolicyFromTheAppsStorageAccount()
    {
        await container.GetBlobClient(BlobName).UploadAsync(BinaryData.FromBytes(Sample));
        var provider = ProviderFor($"{container.Name}/{BlobName}");

        var policy = await provider.LoadAsync(CancellationToken.None);

        Assert.Same(policy, provider.Current);
        Assert.Equal(container.GetBlobClient(BlobName).Uri.ToString(), policy.Source);
        Assert.Equal(PolicyParser.Parse(Sample, "the same bytes").Version, policy.Version);
    }

    [Fact]
    public async Task AMissingBlobStopsLoadingAndNamesTheSettingAndTheBlob()
    {
        var provider = ProviderFor($"{container.Name}/missing.json");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.LoadAsync(CancellationToken.None));

        Assert.StartsWith("Policy:Blob: cannot read the policy blob ", error.Message);
        Assert.Contains($"{container.Name}/missing.json (404 BlobNotFound)", error.Message);
    }
}
