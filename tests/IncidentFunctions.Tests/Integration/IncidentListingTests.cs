using Azure.Data.Tables;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// A listing is one query of the status index on Azurite: the index rows carry what it shows and who may see a
/// restricted incident, are rewritten with the incident, and rows from before they carried it are still listed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IncidentListingTests(AzuriteFixture azurite)
{
    IncidentStore Store => new(azurite.Tables);

    async Task<IncidentEntity> StoreIncidentAsync(string title, Action<IncidentEntity>? change = null)
    {
        var opened = DateTimeOffset.UtcNow.AddYears(5).AddSeconds(Random.Shared.Next(1_000_000));
        var incident = new IncidentEntity
        {
            PartitionKey = IncidentIds.New(opened),
            Title = title,
            Severity = nameof(Severity.Critical),
            Integration = "listing",
            DedupKey = "listing-" + Guid.NewGuid().ToString("N"),
            OpenedAt = opened,
            FirstAlertAt = opened,
            LastAlertAt = opened,
            Priority = "P2",
            ServiceId = "checkout",
            ServiceName = "Checkout",
        };
        change?.Invoke(incident);
        await azurite.Tables.GetTableClient(TableNames.Incidents).AddEntityAsync(incident);
        await Store.IndexAsync(incident, CancellationToken.None, isNew: true);
        return (await Store.FindAsync(incident.Id, CancellationToken.None))!;
    }

    async Task<ListedIncident?> ListedAsync(string bucket, string id)
    {
        string? token = null;
        do
        {
            var page = await Store.ListAsync(bucket, 100, token, CancellationToken.None);
            if (page.Items.FirstOrDefault(i => i.Summary.Id == id) is { } found)
            {
                return found;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return null;
    }

    [Fact]
    public async Task TheListingShowsTheStageAndCommanderAfterAPeopleChangeWithoutReadingTheIncident()
    {
        var incident = await StoreIncidentAsync("Stage shown in the list");
        incident.SetResponse(incident.ResponseValue with
        {
            Stage = Stage.Identified,
            Roles = new Dictionary<string, IReadOnlyList<string>> { [IncidentResponse.CommanderRole] = ["alice"] },
        });
        Assert.True(await Store.TryUpdateAsync(incident, CancellationToken.None));
        await Store.IndexAsync(incident, CancellationToken.None, statusChanged: false);

        // The listing must not depend on the incident row: take it away, and the summary is still listed.
        await azurite.Tables.GetTableClient(TableNames.Incidents).DeleteEntityAsync(incident.Id, IncidentEntity.Row);
        var listed = await ListedAsync("open", incident.Id);

        Assert.NotNull(listed);
        Assert.Equal(Stage.Identified, listed.Summary.Stage);
        Assert.Equal("alice", listed.Summary.Commander);
        Assert.Equal(Priority.P2, listed.Summary.Priority);
        Assert.Equal("Stage shown in the list", listed.Summary.Title);
    }

    [Fact]
    public async Task ARestrictedIncidentsIndexRowsCarryWhoMaySeeIt()
    {
        var incident = await StoreIncidentAsync("Restricted", i => i.SetResponse(IncidentResponse.ForAlert(i.OpenedAt) with
        {
            Visibility = Visibility.Restricted,
            Participants = ["alice"],
            Grants = ["bob"],
        }));

        var listed = await ListedAsync("all", incident.Id);

        Assert.NotNull(listed);
        Assert.Equal(Visibility.Restricted, listed.Summary.Visibility);
        Assert.Equal(["alice"], listed.Participants);
        Assert.Equal(["bob"], listed.Grants);
    }

    [Fact]
    public async Task AnIndexRowFromBeforeSummariesIsListedFromItsIncident()
    {
        var incident = await StoreIncidentAsync("Indexed the old way");
        var old = new IndexEntity { PartitionKey = "open", RowKey = IndexEntity.RowKeyOf(incident), IncidentId = incident.Id };
        await azurite.Tables.GetTableClient(TableNames.IncidentIndex).UpsertEntityAsync(old, TableUpdateMode.Replace);

        var listed = await ListedAsync("open", incident.Id);

        Assert.NotNull(listed);
        Assert.Equal("Indexed the old way", listed.Summary.Title);
        Assert.Equal(Stage.Triage, listed.Summary.Stage);
    }

    [Fact]
    public async Task TheIndexRowsCarryWhoIsInvolvedAndTheLastUpdatesForTheConsole()
    {
        var update = new UpdateRecord(DateTimeOffset.UtcNow, null);
        var incident = await StoreIncidentAsync("Involved", i => i.SetResponse(IncidentResponse.ForAlert(i.OpenedAt) with
        {
            Participants = ["alice"],
            Roles = new Dictionary<string, IReadOnlyList<string>> { [IncidentResponse.CommanderRole] = ["bob"], ["scribe"] = ["carol", "alice"] },
            InternalUpdates = update,
        }));

        var listed = await ListedAsync("open", incident.Id);

        Assert.NotNull(listed?.Response);
        Assert.Equal(["alice", "bob", "carol"], listed.Response.People.Order());
        Assert.Equal(update, listed.Response.InternalUpdates);
        Assert.Equal(UpdateRecord.None, listed.Response.StakeholderUpdates);
    }

    [Fact]
    public async Task EveryIndexWriteMovesTheIndexRevisionAndNothingElseDoes()
    {
        var incident = await StoreIncidentAsync("Revision");
        var before = await Store.IndexRevisionAsync(CancellationToken.None);

        Assert.NotNull(before);
        await Store.ListAsync("open", 10, null, CancellationToken.None);
        Assert.Equal(before, await Store.IndexRevisionAsync(CancellationToken.None));

        await Store.IndexAsync(incident, CancellationToken.None, statusChanged: false);
        Assert.NotEqual(before, await Store.IndexRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TheIncidentsOpenedSinceATimeAreReadToTheEndAndNoOlderOne()
    {
        var newer = await StoreIncidentAsync("Opened since");
        var older = await StoreIncidentAsync("Opened before", i => i.OpenedAt = newer.OpenedAt.AddDays(-2));

        var since = await Store.ListOpenedSinceAsync("all", newer.OpenedAt.AddDays(-1), CancellationToken.None);

        Assert.Contains(since, i => i.Summary.Id == newer.Id);
        Assert.DoesNotContain(since, i => i.Summary.Id == older.Id);
        Assert.All(since, i => Assert.True(i.Summary.OpenedAt >= newer.OpenedAt.AddDays(-1)));
    }
}
