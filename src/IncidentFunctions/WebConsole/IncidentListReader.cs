using IncidentFunctions.Access;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// Reads what the incidents list and the dashboard's "now" show from the status index: one query per status, in
/// parallel, each one page of rows that carry everything shown (no incident row is read).
/// </summary>
public sealed class IncidentListReader(IncidentStore incidents)
{
    /// <summary>The most of each active status (open, acknowledged) read: more than anyone reads down a page.</summary>
    public const int ActiveReadSize = 200;

    /// <summary>The most recently opened resolved incidents the list reads for "resolved" and "all".</summary>
    public const int ResolvedReadSize = 100;

    /// <summary>The open and acknowledged incidents, newest first per status, and whether either status held more.</summary>
    public async Task<(List<ListedIncident> Incidents, bool Truncated)> ActiveAsync(CancellationToken ct)
    {
        var open = incidents.ListAsync(IndexEntity.BucketOf(IncidentStatus.Open), ActiveReadSize, null, ct);
        var acknowledged = incidents.ListAsync(IndexEntity.BucketOf(IncidentStatus.Acknowledged), ActiveReadSize, null, ct);
        var (o, a) = (await open, await acknowledged);
        return ([.. o.Items, .. a.Items], o.ContinuationToken is not null || a.ContinuationToken is not null);
    }

    /// <summary>
    /// The list a viewer sees for a filter: the active incidents, and the most recent resolved ones when it asks for
    /// them; with the index's revision read first, so that a change written meanwhile is seen by the next poll.
    /// </summary>
    public async Task<IncidentListing> ListAsync(IncidentListFilter filter, Caller viewer, CancellationToken ct) =>
        await ListAsync(filter, viewer, IncidentListing.RevisionOf(await incidents.IndexRevisionAsync(ct)), ct);

    /// <summary>
    /// The list again for a poll that carries <paramref name="token"/>, or null when nothing the viewer sees changed:
    /// one point read when nothing was written to the index since; else the rows read again and compared. A change
    /// only to incidents the viewer may not see (or filtered out) answers null too, so a poll never tells of it; such
    /// a viewer's polls read the rows until their own list changes.
    /// </summary>
    public async Task<IncidentListing?> ChangedSinceAsync(IncidentListFilter filter, Caller viewer, string? token, CancellationToken ct)
    {
        var (revision, version) = IncidentListing.ParseToken(token);
        var now = IncidentListing.RevisionOf(await incidents.IndexRevisionAsync(ct));
        if (now == revision)
        {
            return null;
        }

        var listing = await ListAsync(filter, viewer, now, ct);
        return listing.Version == version ? null : listing;
    }

    async Task<IncidentListing> ListAsync(IncidentListFilter filter, Caller viewer, string revision, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var active = ActiveAsync(ct);
        var resolved = filter.ReadsResolved
            ? incidents.ListAsync(IndexEntity.BucketOf(IncidentStatus.Resolved), ResolvedReadSize, null, ct)
            : Task.FromResult(new ResultPage<ListedIncident>([], null));
        var (listed, truncated) = await active;
        return IncidentListing.Of(filter, viewer, listed, (await resolved).Items, truncated) with { Revision = revision };
    }
}
