using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Incidents;
using IncidentFunctions.Links;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Paging;

/// <summary>
/// Emails an incident's notifications, each recipient once, however many times and from wherever a notification is
/// sent: a retried activity, or the opener and the orchestration both sending the first page.
/// <list type="bullet">
/// <item>A sender first claims the notification (a lease on a row next to the incident). The claim fixes the
/// notification's time, which every one of its notification.sent events carries.</item>
/// <item>Recipients whose sent (or refused) event exists are skipped.</item>
/// <item>While another sender holds the lease, the others wait for its events; when the lease runs out (that sender
/// died), one of them takes over and emails whoever is left.</item>
/// </list>
/// The window between an email and its event (a crash right there) can repeat one email; ACS drops the repeat by its
/// Operation-Id, and SMTP receives the same Message-ID. Paging twice beats not paging.
/// </summary>
public sealed partial class IncidentPager(
    IncidentStore incidents,
    TimelineStore timeline,
    IEmailSender email,
    LinkSigner links,
    LatePages latePages,
    TimeProvider time,
    ILogger<IncidentPager> logger)
{
    /// <summary>
    /// The notification id of an incident's first page (level 1 of its first round). The opener sends it as
    /// it opens the incident, without waiting for the orchestration to start; the orchestration sends it under the same
    /// id, so whichever comes second finds the first one's events.
    /// </summary>
    public const string FirstPageId = "first-page";

    /// <summary>Long enough for any healthy send; a sender that dies is replaced this long after its claim.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Emails the request's recipients who have not been emailed for this notification yet. Returns the time of the
    /// notification: when it was first claimed, by this call or an earlier one. <paramref name="known"/> is the incident
    /// as the caller has it, to spare a read. A page is never sent before its due time.
    /// </summary>
    public async Task<DateTimeOffset> SendAsync(NotifyRequest request, IncidentSnapshot? known, CancellationToken ct)
    {
        await UntilDueAsync(request, ct);
        return await ClaimAndSendAsync(request, known, ct);
    }

    /// <summary>
    /// <see cref="SendAsync"/>, once the page is due, if <paramref name="stillWanted"/> says so of the incident as read
    /// then (it is read anyway, for the email): a page must not follow a change its sender has not taken in yet, such as
    /// an acknowledgement whose signal is still on its way. Returns when it was sent (null: not sent) and the incident.
    /// </summary>
    public async Task<(DateTimeOffset? SentAt, IncidentEntity Incident)> SendIfAsync(
        NotifyRequest request, Func<IncidentEntity, bool> stillWanted, CancellationToken ct)
    {
        await UntilDueAsync(request, ct);
        var incident = await incidents.FindAsync(request.IncidentId, ct)
            ?? throw new InvalidOperationException($"Incident {request.IncidentId} does not exist.");
        return stillWanted(incident) ? (await ClaimAndSendAsync(request, incident.ToSnapshot(), ct), incident) : (null, incident);
    }

    /// <summary>
    /// The orchestration's timer may have fired a little early (see DueTime): the page waits here, not there. A delay can
    /// end a tick before the clock says it should, hence the loop towards one fixed time.
    /// </summary>
    async Task UntilDueAsync(NotifyRequest request, CancellationToken ct)
    {
        var start = time.GetUtcNow();
        var until = start + DueTime.Remaining(start, request.DueAt);
        for (var now = start; now < until; now = time.GetUtcNow())
        {
            await Task.Delay(until - now, time, ct);
        }
    }

    async Task<DateTimeOffset> ClaimAndSendAsync(NotifyRequest request, IncidentSnapshot? known, CancellationToken ct)
    {
        var (claim, pending) = await ClaimAsync(request, ct);
        if (pending.Count > 0)
        {
            await SendClaimedAsync(request, claim, pending, known, ct);
        }

        return claim.At;
    }

    /// <summary>
    /// Runs once what sending <paramref name="page"/> runs (Ingestion.FirstPageWarmUp), sending nothing: each email
    /// rendered and written out to nowhere; returns the events that would record them.
    /// </summary>
    public async Task<IReadOnlyList<TimelineEvent>> RehearseAsync(FirstPage page, IncidentEntity incident, CancellationToken ct)
    {
        var snapshot = incident.ToSnapshot();
        var events = new List<TimelineEvent>(page.Request.Recipients.Count);
        foreach (var recipient in page.Request.Recipients)
        {
            await email.RehearseAsync(Render(page.Request, snapshot, recipient), ct);
            events.Add(SentEvent(page.Request, recipient, page.Claim.At));
        }

        return events;
    }

    /// <summary>
    /// The claim under which the opener sends an incident's first page, written in the same transaction that creates
    /// the incident, so that the page needs no round trip of its own before the email; null when the opener will not
    /// page (a maintenance window or flapping holds it, or nobody is on level 1). The orchestration, sending the same
    /// notification should the opener fail, finds this claim and takes it over when its lease has run out.
    /// </summary>
    public FirstPage? PlanFirstPage(IncidentEntity incident, TriageResult triage)
    {
        var now = time.GetUtcNow();
        var plan = triage.Escalation;
        if (triage.Maintenance is not null || incident.FlappingUntil > now || incident.StatusValue != IncidentStatus.Open)
        {
            return null;
        }

        // After the opening's three events (opened, triaged, routed: OpenedAt and two ticks on), however fine the clock.
        var at = incident.OpenedAt.AddTicks(3);
        var request = FirstPageRequest(incident.Id, plan, now > at ? now : at) with { DueAt = incident.FirstAlertAt };
        return request.Recipients.Count == 0 ? null : new FirstPage(request, NewClaim(request, now));
    }

    /// <summary>
    /// Sends the first page under the claim <see cref="PlanFirstPage"/> made. Returns when it went out, if it reached
    /// everyone on it; null otherwise. Best effort: should it fail, the orchestration's own first page (same
    /// notification id) emails whoever it missed, with its retries.
    /// </summary>
    public async Task<DateTimeOffset?> SendFirstPageAsync(FirstPage page, IncidentEntity incident, CancellationToken ct)
    {
        try
        {
            await SendClaimedAsync(page.Request, page.Claim, page.Request.Recipients, incident.ToSnapshot(), ct);
            return page.Claim.At;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFirstPageFailed(logger, e, incident.Id);
            return null;
        }
    }

    /// <summary>
    /// The first page: level 1, cut to the notification budget as the orchestration cuts it (it counts this page
    /// whether it sends it or finds it sent).
    /// </summary>
    public static NotifyRequest FirstPageRequest(string incidentId, EscalationPlan plan, DateTimeOffset at) =>
        new(incidentId, FirstPageId, NotificationKind.Page, 1, plan.Levels is [var first, ..] ? first.Recipients.Take(plan.MaxNotifications).ToList() : [], at);

    /// <summary>
    /// When the notification was first claimed (null: never), and whether every recipient's email is on the record
    /// (sent, or refused for good): then nobody needs to send it again.
    /// </summary>
    public async Task<(DateTimeOffset? ClaimedAt, bool Complete)> StatusAsync(NotifyRequest request, CancellationToken ct)
    {
        if (await incidents.FindClaimAsync(request.IncidentId, request.NotificationId, ct) is not { } claim)
        {
            return (null, false);
        }

        return (claim.At, (await PendingAsync(request, claim.At, ct)).Count == 0);
    }

    /// <summary>
    /// Emails <paramref name="pending"/> under <paramref name="claim"/>, then records what happened in one transaction,
    /// after the request's preceding event (an escalation): one write per notification instead of one per email. A
    /// crash between an email and that write repeats the email (with the same Message-ID); that window was one email
    /// wide before, and is one notification wide now, which for a page is usually one person.
    /// </summary>
    async Task SendClaimedAsync(
        NotifyRequest request, NotificationClaimEntity claim, IReadOnlyList<Recipient> pending, IncidentSnapshot? known, CancellationToken ct)
    {
        var recorded = new List<TimelineEvent>(pending.Count + 1);
        if (request.Preceding is { } preceding)
        {
            recorded.Add(preceding);
        }

        try
        {
            var incident = known ?? (await incidents.FindAsync(request.IncidentId, ct))?.ToSnapshot()
                ?? throw new InvalidOperationException($"Incident {request.IncidentId} does not exist.");
            foreach (var recipient in pending)
            {
                recorded.Add(await EmailAsync(request, incident, recipient, claim.At, ct));
            }

            await timeline.AppendManyAsync(request.IncidentId, recorded, ct);
        }
        catch
        {
            // Whoever was emailed stays on the record, so that a retry does not email them again.
            if (recorded.Count > (request.Preceding is null ? 0 : 1))
            {
                await RecordQuietlyAsync(request.IncidentId, recorded);
            }

            // Let a retry (or the other sender) carry on now, rather than when the lease runs out.
            claim.Owner = null;
            claim.LeaseUntil = time.GetUtcNow();
            try
            {
                await incidents.TryWriteClaimAsync(claim, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogReleaseFailed(logger, e);
            }

            throw;
        }
    }

    async Task RecordQuietlyAsync(string incidentId, IReadOnlyList<TimelineEvent> recorded)
    {
        try
        {
            await timeline.AppendManyAsync(incidentId, recorded, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogRecordFailed(logger, e, incidentId);
        }
    }

    NotificationClaimEntity NewClaim(NotifyRequest request, DateTimeOffset now) => new()
    {
        PartitionKey = request.IncidentId,
        RowKey = NotificationClaimEntity.RowKeyOf(request.NotificationId),
        // Never before the time the caller chose: an escalation recorded just before stays first in the timeline.
        At = now > request.At ? now : request.At,
        Owner = Guid.NewGuid().ToString("N"),
        LeaseUntil = now + Lease,
    };

    /// <summary>
    /// The claim this sender holds (or one whose notification is complete), and who is left to email. The first try
    /// adds the claim without reading: a notification is almost always claimed once, and then everyone is left.
    /// </summary>
    async Task<(NotificationClaimEntity Claim, IReadOnlyList<Recipient> Pending)> ClaimAsync(NotifyRequest request, CancellationToken ct)
    {
        var mine = NewClaim(request, time.GetUtcNow());
        if (await incidents.TryWriteClaimAsync(mine, ct))
        {
            return (mine, request.Recipients);
        }

        var owner = mine.Owner;
        while (true)
        {
            var claim = await incidents.FindClaimAsync(request.IncidentId, request.NotificationId, ct);
            var now = time.GetUtcNow();
            if (claim is null)
            {
                claim = NewClaim(request, now);
                claim.Owner = owner;
                if (await incidents.TryWriteClaimAsync(claim, ct))
                {
                    return (claim, request.Recipients);
                }

                continue;
            }

            var pending = await PendingAsync(request, claim.At, ct);
            if (pending.Count == 0)
            {
                return (claim, pending);
            }

            if (claim.Owner is not null && claim.Owner != owner && claim.LeaseUntil > now)
            {
                var left = claim.LeaseUntil - now;
                await Task.Delay(left < WaitStep ? left : WaitStep, time, ct);
                continue;
            }

            claim.Owner = owner;
            claim.LeaseUntil = now + Lease;
            if (await incidents.TryWriteClaimAsync(claim, ct))
            {
                return (claim, pending);
            }
        }
    }

    async Task<IReadOnlyList<Recipient>> PendingAsync(NotifyRequest request, DateTimeOffset at, CancellationToken ct)
    {
        // A refused email's notification.failed event has the sent event's id and time, so one read finds either.
        var done = await Task.WhenAll(request.Recipients.Select(recipient => timeline.ContainsAsync(request.IncidentId, SentEvent(request, recipient, at), ct)));
        return request.Recipients.Where((_, i) => !done[i]).ToList();
    }

    /// <summary>Emails one recipient; returns the event that records it (sent, or refused for good), not yet written.</summary>
    async Task<TimelineEvent> EmailAsync(NotifyRequest request, IncidentSnapshot incident, Recipient recipient, DateTimeOffset at, CancellationToken ct)
    {
        var sent = SentEvent(request, recipient, at);
        var message = Render(request, incident, recipient);
        try
        {
            await email.SendAsync(message, ct);
        }
        catch (EmailRejectedException e)
        {
            // Retrying cannot help (a refused address, a missing permission); the others still get their email.
            LogRejected(logger, e, request.IncidentId, recipient.PersonId);
            return sent with
            {
                Type = TimelineEventTypes.NotificationFailed,
                Summary = $"Could not email {recipient.Name}: {e.Message}",
            };
        }

        LogSent(logger, request.Kind, request.IncidentId, recipient.PersonId);
        return Lateness.Of(request, time.GetUtcNow()) is { } late ? Late(sent, request, late) : sent;
    }

    /// <summary>The email of <paramref name="request"/> to <paramref name="recipient"/>, with its links.</summary>
    EmailMessage Render(NotifyRequest request, IncidentSnapshot incident, Recipient recipient)
    {
        var actionable = NotificationMessage.IsPaging(request.Kind) && incident.Status != IncidentStatus.Resolved;
        return IncidentEmails.Render(new NotificationEmail(
            request.Kind,
            request.Level,
            incident,
            recipient,
            new EmailLinks(
                links.IncidentUrl(incident.Id),
                actionable ? links.CreateUrl(incident.Id, recipient.PersonId, LinkAction.Acknowledge) : null,
                actionable ? links.CreateUrl(incident.Id, recipient.PersonId, LinkAction.Resolve) : null),
            IdempotencyKeyOf(request.IncidentId, request.NotificationId, recipient.PersonId),
            request.Message));
    }

    /// <summary>A page that went out late says so on the timeline, with how late, and in a warning (see <see cref="LatePages"/>).</summary>
    TimelineEvent Late(TimelineEvent sent, NotifyRequest request, TimeSpan late)
    {
        latePages.Record(request.IncidentId, KindText(request.Kind, request.Level), late);
        return sent with
        {
            Summary = $"{sent.Summary}, {Lateness.Describe(late)} late",
            Data = new Dictionary<string, string>(sent.Data!) { [Lateness.DataKey] = late.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) },
        };
    }

    static TimelineEvent SentEvent(NotifyRequest request, Recipient recipient, DateTimeOffset at) => new(
        $"notify-{request.NotificationId}-{recipient.PersonId}", at, TimelineEventTypes.NotificationSent, "system", Channels.Email,
        $"Emailed {recipient.Name} ({KindText(request.Kind, request.Level)})",
        new Dictionary<string, string>
        {
            ["recipient"] = recipient.PersonId,
            ["kind"] = request.Kind.ToString().ToLowerInvariant(),
            ["level"] = request.Level?.ToString() ?? string.Empty,
        });

    /// <summary>
    /// Stable per incident, notification and recipient, so every retry of one email carries the same key, and no two
    /// emails share one (ACS drops an Operation-Id it has seen; the SMTP Message-ID derives from it too).
    /// </summary>
    public static Guid IdempotencyKeyOf(string incidentId, string notificationId, string personId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{incidentId}/{notificationId}/{personId}")).AsSpan(0, 16));

    static string KindText(NotificationKind kind, int? level) => kind switch
    {
        NotificationKind.Page => level is null ? "page" : $"page, level {level}",
        NotificationKind.Retriggered => $"re-triggered, level {level}",
        NotificationKind.Exhausted => "escalation exhausted",
        NotificationKind.RoleAssigned => "role assigned",
        NotificationKind.StatusUpdate => "status update",
        NotificationKind.Reminder => "reminder",
        _ => "resolved",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Email for incident {IncidentId} to {PersonId} was refused; not retrying")]
    static partial void LogRejected(ILogger logger, Exception exception, string incidentId, string personId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {Kind} email for incident {IncidentId} to {PersonId}")]
    static partial void LogSent(ILogger logger, NotificationKind kind, string incidentId, string personId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "First page for incident {IncidentId} failed; its orchestration pages instead")]
    static partial void LogFirstPageFailed(ILogger logger, Exception exception, string incidentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Incident {IncidentId}: could not record the emails just sent; a retry may send them again")]
    static partial void LogRecordFailed(ILogger logger, Exception exception, string incidentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release a notification claim; it lapses when its lease runs out")]
    static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
