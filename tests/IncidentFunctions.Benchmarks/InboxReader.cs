using System.Diagnostics;
using IncidentFunctions.TestTools;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// The paging benchmarks' view of MailDev's inbox: every 100 ms it lists what is there, hands each email it has not
/// seen to the caller with the time it first appeared, and deletes it. MailDev stamps emails with their Date header,
/// in whole seconds, so the benchmarks time emails themselves (the resolution is the poll plus one request); and as
/// nothing stays in the inbox, a listing holds only what arrived since the last one, in whatever order, however many
/// thousands of emails a run delivers. (Paging through a listing sorted by that Date skipped emails whose Date came
/// before ones already read.)
/// </summary>
public sealed class InboxReader(MailDevClient mail, Stopwatch clock)
{
    /// <summary>MailDev is Node on the same two cores as everything else: polling faster would compete with the run.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    readonly HashSet<string> read = new(StringComparer.Ordinal);

    /// <summary>Reads, hands over and deletes until cancelled; a failed poll is said and retried.</summary>
    public async Task ReadAsync(Action<MailDevEmail, TimeSpan> arrived, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var emails = await mail.ListAsync(ct: ct);
                var now = clock.Elapsed;
                foreach (var email in emails.Where(e => read.Add(e.Id)))
                {
                    arrived(email, now);
                }

                if (emails.Count > 0)
                {
                    await mail.DeleteAsync(emails.Select(e => e.Id).ToList(), ct);
                }

                await Task.Delay(Poll, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException e)
            {
                Report.Progress($"could not read MailDev's inbox: {e.Message}");
            }
        }
    }
}
