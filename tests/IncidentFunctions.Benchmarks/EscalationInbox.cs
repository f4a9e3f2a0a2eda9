using System.Collections.Concurrent;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.TestTools;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// A capacity run's emails as MailDev receives them (read by <see cref="InboxReader"/>), each placed at its step of
/// its incident's escalation (<see cref="BenchStack.TwoLevelPolicy"/>): the pages of every level, round after round,
/// then the team's "escalation exhausted" emails, with the time each first appeared.
/// </summary>
public sealed class EscalationInbox(string runId, int repeat)
{
    static readonly string PageKind = nameof(NotificationKind.Page).ToLowerInvariant();
    static readonly string ExhaustedKind = nameof(NotificationKind.Exhausted).ToLowerInvariant();

    readonly ConcurrentDictionary<int, TimeSpan?[]> seen = new();
    readonly HashSet<string> messageIds = new(StringComparer.Ordinal);
    int duplicates;
    int unexpected;

    /// <summary>Pages, level by level, <c>repeat + 1</c> rounds: the emails before escalation is exhausted.</summary>
    public int Pages => (repeat + 1) * BenchStack.Levels.Length;

    /// <summary>Every page, then one exhausted email to each member of the team.</summary>
    public int EmailsPerIncident => Pages + BenchStack.Levels.Length;

    /// <summary>Emails with a Message-ID seen before: the same email delivered twice.</summary>
    public int Duplicates => Volatile.Read(ref duplicates);

    /// <summary>Emails of this run with no place in the policy (a third round, a kind the run never causes).</summary>
    public int Unexpected => Volatile.Read(ref unexpected);

    /// <summary>
    /// The step an email slot belongs to: each page is a step of its own; the exhausted emails, sent together, are the
    /// last. Step s is due the escalation delay after step s - 1 was seen.
    /// </summary>
    public int StepOf(int slot) => Math.Min(slot, Pages);

    /// <summary>When each email of <paramref name="key"/>'s incident first appeared, by slot (null: not yet).</summary>
    public IReadOnlyList<TimeSpan?> Of(int key) => seen.TryGetValue(key, out var slots) ? slots : new TimeSpan?[EmailsPerIncident];

    /// <summary>Whether <paramref name="key"/>'s incident has sent every email its escalation sends.</summary>
    public bool Complete(int key) => seen.TryGetValue(key, out var slots) && slots.All(s => s is not null);

    /// <summary>Distinct emails of this run placed so far.</summary>
    public int Seen => seen.Values.Sum(slots => slots.Count(s => s is not null));

    /// <summary>Places an email of this run (others are ignored) at its slot, or counts it as a duplicate or unexpected.</summary>
    public void Record(MailDevEmail email, TimeSpan at)
    {
        if (BenchAlerts.KeyOf(email.Subject, runId) is not { } key)
        {
            return;
        }

        if (!messageIds.Add(email.Header("Message-ID") ?? email.Id))
        {
            Interlocked.Increment(ref duplicates);
            return;
        }

        var slots = seen.GetOrAdd(key, _ => new TimeSpan?[EmailsPerIncident]);
        var person = BenchStack.Levels.IndexOf(email.To[0].Address.Split('@')[0]);
        var kind = email.Header(NotificationHeaders.Kind);
        int? slot = person < 0 ? null
            // A page's round is how many pages of its level came before it (each with its own Message-ID).
            : kind == PageKind ? Enumerable.Range(0, repeat + 1).Select(round => round * BenchStack.Levels.Length + person).FirstOrDefault(s => slots[s] is null, -1)
            : kind == ExhaustedKind && slots[Pages + person] is null ? Pages + person
            : null;
        if (slot is null or < 0)
        {
            Interlocked.Increment(ref unexpected);
            return;
        }

        slots[slot.Value] = at;
    }
}
