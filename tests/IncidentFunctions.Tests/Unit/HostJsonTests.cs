using IncidentFunctions.DevHost.Functions;
using Microsoft.Extensions.Configuration;

namespace IncidentFunctions.Tests.Unit;

public sealed class HostJsonTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "hostjson-tests-" + Guid.NewGuid().ToString("N"));

    public HostJsonTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IncidentFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No IncidentFunctions.sln above {AppContext.BaseDirectory}.");
    }

    HostJson LoadText(string json)
    {
        var path = Path.Combine(directory, "host.json");
        File.WriteAllText(path, json);
        return HostJson.Load(path);
    }

    [Fact]
    public void RepositoryHostJsonValuesAreRead()
    {
        var host = HostJson.Load(Path.Combine(RepositoryRoot(), "host.json"));

        Assert.Equal(32, host.Queues.BatchSize);
        Assert.Equal(96, host.Queues.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromMilliseconds(500), host.Queues.MaxPollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), host.Queues.VisibilityTimeout);
        Assert.Equal(5, host.Queues.MaxDequeueCount);
        Assert.True(host.Queues.Base64);
        Assert.Equal("IncidentFunctions", host.Durable.HubName);
        Assert.Equal(TimeSpan.FromMilliseconds(250), host.Durable.MaxQueuePollingInterval);
        Assert.Equal(100, host.Durable.MaxConcurrentOrchestrations);
        Assert.Equal(50, host.Durable.MaxConcurrentActivities);
    }

    [Fact]
    public void AppSettingsOverrideHostJsonAsTheyDoInAzure()
    {
        var overrides = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00.200",
                ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2",
                ["AzureFunctionsJobHost:extensions:durableTask:hubName"] = "Other",
            })
            .Build();

        var host = HostJson.Load(Path.Combine(RepositoryRoot(), "host.json"), overrides);

        Assert.Equal(TimeSpan.FromMilliseconds(200), host.Queues.VisibilityTimeout);
        Assert.Equal(2, host.Queues.MaxDequeueCount);
        Assert.Equal("Other", host.Durable.HubName);
        Assert.Equal(32, host.Queues.BatchSize);
    }

    [Fact]
    public void MinimalHostJsonGetsTheFunctionsDefaults()
    {
        var host = LoadText("""{ "version": "2.0" }""");

        Assert.Equal(new QueueSettings(16, 8, TimeSpan.FromMinutes(1), TimeSpan.Zero, 5, true), host.Queues);
        Assert.Equal("TestHubName", host.Durable.HubName);
        Assert.Equal(TimeSpan.FromSeconds(30), host.Durable.MaxQueuePollingInterval);
        Assert.Equal(4, host.Durable.PartitionCount);
        Assert.Equal(10 * Environment.ProcessorCount, host.Durable.MaxConcurrentActivities);
        Assert.Equal(10 * Environment.ProcessorCount, host.Durable.MaxConcurrentOrchestrations);
    }

    [Fact]
    public void EmptyExtensionSectionsAlsoGetTheDefaults()
    {
        var host = LoadText("""{ "version": "2.0", "extensions": { "queues": {}, "durableTask": { "storageProvider": {} } } }""");

        Assert.Equal(16, host.Queues.BatchSize);
        Assert.Equal(8, host.Queues.NewBatchThreshold);
        Assert.Equal(5, host.Queues.MaxDequeueCount);
        Assert.Equal(TimeSpan.Zero, host.Queues.VisibilityTimeout);
        Assert.True(host.Queues.Base64);
        Assert.Equal("TestHubName", host.Durable.HubName);
    }

    [Fact]
    public void NewBatchThresholdDefaultsToHalfTheDeclaredBatchSize()
    {
        var host = LoadText("""{ "extensions": { "queues": { "batchSize": 10 } } }""");

        Assert.Equal(10, host.Queues.BatchSize);
        Assert.Equal(5, host.Queues.NewBatchThreshold);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(64, 32)]
    public void BatchSizeIsClampedToWhatTheQueueServiceAllows(int declared, int expected)
    {
        var host = LoadText($$"""{ "extensions": { "queues": { "batchSize": {{declared}} } } }""");

        Assert.Equal(expected, host.Queues.BatchSize);
    }

    [Theory]
    [InlineData("none", false)]
    [InlineData("None", false)]
    [InlineData("base64", true)]
    public void MessageEncodingNoneTurnsBase64Off(string encoding, bool base64)
    {
        var host = LoadText($$"""{ "extensions": { "queues": { "messageEncoding": "{{encoding}}" } } }""");

        Assert.Equal(base64, host.Queues.Base64);
    }

    [Fact]
    public void CommentsAndTrailingCommasAreTolerated()
    {
        var host = LoadText("""
            {
              // the Functions host accepts comments in host.json
              "extensions": {
                "queues": { "maxDequeueCount": 3, },
                "durableTask": { "hubName": "Demo", "maxConcurrentActivityFunctions": 7, },
              },
            }
            """);

        Assert.Equal(3, host.Queues.MaxDequeueCount);
        Assert.Equal("Demo", host.Durable.HubName);
        Assert.Equal(7, host.Durable.MaxConcurrentActivities);
    }
}
