using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// A real Azurite, started on free loopback ports in a temporary folder for this test run and removed afterwards,
/// so tests never touch a developer's running dev host or each other's runs. Its data is in memory, so it cannot be
/// started again like MailDev; if it stops, the run says so (an xunit diagnostic message with its last output) rather
/// than leaving only "connection refused" behind.
/// </summary>
public sealed class AzuriteFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    IReadOnlyList<NodeService> azurite = [];
    string? folder;

    public AzuritePorts Ports { get; } = AzuritePorts.Free();

    public string ConnectionString => Ports.ConnectionString;

    public IConfiguration Configuration => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [ConnectionNames.Storage] = ConnectionString })
        .Build();

    public StorageConnection Storage => StorageConnection.FromConfiguration(Configuration);

    public TableServiceClient Tables => Storage.CreateTableServiceClient();

    public QueueServiceClient Queues => Storage.CreateQueueServiceClient();

    public BlobServiceClient Blobs => Storage.CreateBlobServiceClient();

    public async Task InitializeAsync()
    {
        var paths = RepositoryPaths.Find();
        await LocalTools.EnsureNpmPackagesAsync(paths, NullLogger.Instance);
        folder = Path.Combine(Path.GetTempPath(), "incidentfunctions-tests-" + Guid.NewGuid().ToString("N"));
        azurite = await LocalTools.StartAzuriteAsync(paths, folder, Ports, inMemory: true);
        foreach (var service in azurite)
        {
            service.Stopped += stopped => diagnostics.OnMessage(new DiagnosticMessage(
                $"{stopped.Name} stopped (exit code {stopped.ExitCode}); the tests that use it will fail. Its last output:\n{stopped.Output}"));
        }

        await new StorageBootstrap(Tables, Queues, Blobs, NullLogger<StorageBootstrap>.Instance).StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var service in azurite)
        {
            await service.DisposeAsync();
        }

        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
