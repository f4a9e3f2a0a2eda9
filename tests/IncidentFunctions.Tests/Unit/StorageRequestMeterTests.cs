using System.Net;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Storage;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The kinds the storage meter counts by: one per client, table, queue or container and method, never one per entity,
/// message or partition, or the totals the benchmarks divide by incidents would scatter over thousands of kinds.
/// </summary>
public sealed class StorageRequestMeterTests
{
    const string Azurite = "http://127.0.0.1:10002/devstoreaccount1";

    [Theory]
    [InlineData(Azurite + "/Incidents(PartitionKey='inc-1',RowKey='incident')", "Incidents")]
    [InlineData(Azurite + "/Timeline()?$filter=PartitionKey%20eq%20'inc-1'", "Timeline")]
    [InlineData(Azurite + "/Tables", "Tables")]
    [InlineData(Azurite + "/$batch", "batch")]
    [InlineData("https://account.table.core.windows.net/Incidents(PartitionKey='inc-1',RowKey='incident')", "Incidents")]
    [InlineData("https://account.table.core.windows.net/$batch", "batch")]
    [InlineData("http://127.0.0.1:10001/devstoreaccount1/alerts/messages/7b1c?popreceipt=AAA", "alerts")]
    [InlineData("http://localhost:10001/devstoreaccount1/alerts/messages?numofmessages=32", "alerts")]
    [InlineData("https://account.queue.core.windows.net/alerts-poison/messages", "alerts-poison")]
    [InlineData("http://127.0.0.1:10001/devstoreaccount1/incidentfunctions-control-00/messages", "incidentfunctions-control-NN")]
    [InlineData("http://127.0.0.1:10001/devstoreaccount1/incidentfunctions-control-13/messages/1?popreceipt=B", "incidentfunctions-control-NN")]
    [InlineData("http://127.0.0.1:10001/devstoreaccount1/incidentfunctions-workitems/messages", "incidentfunctions-workitems")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/incidentfunctions-leases/default/incidentfunctions-control-02?comp=lease", "incidentfunctions-leases")]
    [InlineData("http://127.0.0.1:10001/devstoreaccount1?comp=list", "account")]
    [InlineData("https://account.queue.core.windows.net/?comp=list", "account")]
    public void AResourceIsTheTableQueueOrContainerAlone(string uri, string resource) =>
        Assert.Equal(resource, StorageRequestMeter.ResourceOf(new Uri(uri)));

    /// <summary>Through the SDK's own request URLs, escaping and all, rather than URLs written by hand.</summary>
    [Fact]
    public async Task AnEntitysKeysAndAMessagesIdNeverReachItsKind()
    {
        using var meter = new StorageRequestMeter();
        var transport = new HttpClientTransport(new HttpClient(new NoContent()));
        var table = new TableClient(ConnectionString, "Incidents", meter.AddTo(new TableClientOptions { Transport = transport }, "table"));
        var queue = new QueueClient(ConnectionString, "alerts", meter.AddTo(new QueueClientOptions { Transport = transport }, "queue"));

        await table.DeleteEntityAsync("inc-1", "incident");
        await table.DeleteEntityAsync("inc-2", "alert(1)");
        await queue.DeleteMessageAsync("7b1c", "pop");

        Assert.Equal(new Dictionary<string, long> { ["table Incidents DELETE"] = 2, ["queue alerts DELETE"] = 1 }, meter.Totals);
    }

    [Fact]
    public async Task TotalAddsUpOneClientsResourcesForOneMethodOnly()
    {
        using var meter = new StorageRequestMeter();
        var transport = new HttpClientTransport(new HttpClient(new NoContent()));
        var options = meter.AddTo(new TableClientOptions { Transport = transport }, "table");
        var durable = meter.AddTo(new TableClientOptions { Transport = transport }, "durable table");

        await new TableClient(ConnectionString, "Incidents", options).DeleteEntityAsync("a", "b");
        await new TableClient(ConnectionString, "Timeline", options).DeleteEntityAsync("a", "b");
        await new TableClient(ConnectionString, "IncidentFunctionsHistory", durable).DeleteEntityAsync("a", "b");

        Assert.Equal(2, meter.Total("table", "DELETE"));
        Assert.Equal(1, meter.Total("durable table", "DELETE"));
        Assert.Equal(0, meter.Total("table", "GET"));
    }

    /// <summary>Azurite's default ports; nothing listens there for these tests.</summary>
    static readonly string ConnectionString = new AzuritePorts(10000, 10001, 10002).ConnectionString;

    /// <summary>Answers every request 204 No Content, which is success for the deletes above; nothing is sent anywhere.</summary>
    sealed class NoContent : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent) { RequestMessage = request });
    }
}
