using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>What a sender sent is kept with each alert: on its row when short, in a blob when not.</summary>
[Collection(PipelineCollection.Name)]
public sealed class AlertEvidenceTests(PipelineFixture fixture)
{
    [Fact]
    public async Task EachAlertKeepsTheJsonItsSenderSentOnItsRowOrInABlob()
    {
        await using var host = await LifecycleHost.StartAsync(fixture);
        var key = TestAlerts.NewKey();
        var small = TestAlerts.Firing(host.Integration, key) with { Raw = """{"title":"Checkout p99 latency above 2s","severity":"critical"}""" };
        var large = TestAlerts.Firing(host.Integration, key) with { Raw = $$"""{"title":"Checkout","severity":"critical","description":"{{new string('d', AlertEvidence.MaxInlineChars)}}"}""" };

        await host.Processor.ProcessAsync(small, host.Lifecycle, CancellationToken.None);
        await host.Processor.ProcessAsync(large, host.Lifecycle, CancellationToken.None);
        // A redelivery of the large alert rewrites the same blob and adds no row.
        await host.Processor.ProcessAsync(large, host.Lifecycle, CancellationToken.None);

        var incident = await host.IncidentForAsync(key);
        var rows = await host.Incidents.AlertRowsAsync(incident.Id, CancellationToken.None);
        Assert.Equal(2, rows.Count);
        var evidence = host.Services.GetRequiredService<AlertEvidence>();
        var smallRow = rows.Single(r => r.AlertId == small.Id);
        Assert.Equal(small.Raw, smallRow.Raw);
        Assert.Null(smallRow.RawBlob);
        var largeRow = rows.Single(r => r.AlertId == large.Id);
        Assert.Null(largeRow.Raw);
        Assert.Equal(AlertEvidence.BlobNameOf(large), largeRow.RawBlob);
        Assert.Equal(large.Raw, await evidence.ReadAsync(largeRow, CancellationToken.None));
        Assert.Equal(small.Raw, await evidence.ReadAsync(smallRow, CancellationToken.None));
    }

    [Fact]
    public void EveryFormatKeepsTheAlertsOwnJsonAsItsRawEvidence()
    {
        using var generic = System.Text.Json.JsonDocument.Parse("""[{"title":"a","severity":"info"},{"title":"b","severity":"info"}]""");
        var (alerts, _) = GenericAlertFormat.Parse(generic.RootElement, "g", "b1", DateTimeOffset.UtcNow);

        Assert.Equal(["""{"title":"a","severity":"info"}""", """{"title":"b","severity":"info"}"""], alerts.Select(a => a.Raw));
    }
}
