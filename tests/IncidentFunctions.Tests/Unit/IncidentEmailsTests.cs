using System.Text.RegularExpressions;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;

namespace IncidentFunctions.Tests.Unit;

public sealed class IncidentEmailsTests
{
    static readonly Uri IncidentLink = new("https://incidents.example.com/incidents/inc-1");
    static readonly Uri AcknowledgeLink = new("https://incidents.example.com/respond?token=abc&action=acknowledge");
    static readonly Uri ResolveLink = new("https://incidents.example.com/respond?token=abc&action=resolve");

    static readonly IncidentSnapshot Incident = new(
        Id: "inc-1",
        Title: "Checkout latency above 2s",
        Severity: Severity.Critical,
        Priority: Priority.P1,
        Status: IncidentStatus.Open,
        ServiceName: "Checkout",
        AlertCount: 7,
        FirstAlertAt: new DateTimeOffset(2026, 11, 26, 20, 33, 2, TimeSpan.Zero),
        LastAlertAt: new DateTimeOffset(2026, 11, 26, 21, 5, 0, TimeSpan.Zero),
        Description: "p99 above 2s\nfor 10 minutes",
        Source: "checkout-api",
        Links: [new("https://grafana.example.com/d/checkout", "Dashboard"), new("https://runbooks.example.com/checkout", null)],
        AcknowledgedBy: null,
        AcknowledgedAt: null,
        ResolvedBy: null,
        ResolvedAt: null);

    static NotificationEmail Notification(
        NotificationKind kind = NotificationKind.Page,
        IncidentSnapshot? incident = null,
        string timeZone = "Europe/Berlin",
        int? level = 2) => new(
            kind,
            level,
            incident ?? Incident,
            new Recipient("alice", "Alice Example", "alice@example.com", timeZone),
            new EmailLinks(IncidentLink, AcknowledgeLink, ResolveLink),
            Guid.Parse("6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f"));

    static IEnumerable<string> Bodies(EmailMessage email) => [email.PlainText, email.Html];

    [Theory]
    [InlineData(NotificationKind.Page, IncidentStatus.Open, "[P1] Checkout latency above 2s")]
    [InlineData(NotificationKind.Retriggered, IncidentStatus.Open, "[P1][Re-triggered] Checkout latency above 2s")]
    [InlineData(NotificationKind.Exhausted, IncidentStatus.Open, "[P1][Escalation exhausted] Checkout latency above 2s")]
    [InlineData(NotificationKind.Resolved, IncidentStatus.Resolved, "[P1][Resolved] Checkout latency above 2s")]
    [InlineData(NotificationKind.Page, IncidentStatus.Acknowledged, "[P1][Acknowledged] Checkout latency above 2s")]
    [InlineData(NotificationKind.Retriggered, IncidentStatus.Acknowledged, "[P1][Acknowledged] Checkout latency above 2s")]
    [InlineData(NotificationKind.Resolved, IncidentStatus.Acknowledged, "[P1][Resolved] Checkout latency above 2s")]
    public void TheSubjectNamesThePriorityTheKindAndAnAcknowledgement(NotificationKind kind, IncidentStatus status, string subject) =>
        Assert.Equal(subject, IncidentEmails.Render(Notification(kind, Incident with { Status = status })).Subject);

    [Fact]
    public void TheSubjectUsesTheIncidentsOwnPriority() =>
        Assert.StartsWith("[P3] ", IncidentEmails.Render(Notification(incident: Incident with { Priority = Priority.P3 })).Subject);

    [Fact]
    public void ATitleBecomesOneLine()
    {
        var email = IncidentEmails.Render(Notification(incident: Incident with { Title = " Disk full\r\non\tdb-1\u0007 " }));

        Assert.Equal("[P1] Disk full on db-1", email.Subject);
    }

    [Fact]
    public void ALongTitleIsShortenedWithoutSplittingACharacter()
    {
        var title = new string('x', 148) + "👩‍🚒 and more text that does not fit";

        var email = IncidentEmails.Render(Notification(incident: Incident with { Title = title }));

        Assert.Equal("[P1] " + new string('x', 148) + "…", email.Subject);
        Assert.Contains(new string('x', 148) + "…</h1>", email.Html);
    }

    [Fact]
    public void BothBodiesCarryWhatAResponderNeeds()
    {
        var email = IncidentEmails.Render(Notification());

        Assert.Matches(@"Alerts:\s+7\n", email.PlainText);
        Assert.Contains(">Alerts</th><td style=\"padding:4px 0;\">7</td>", email.Html);
        foreach (var body in Bodies(email))
        {
            Assert.Contains("Escalation level 2: you are paged.", body);
            Assert.Contains("Checkout latency above 2s", body);
            Assert.Contains("Checkout", body);
            Assert.Contains("P1", body);
            Assert.Contains("Critical", body);
            Assert.Contains("Open", body);
            Assert.Contains("checkout-api", body);
            Assert.Contains("p99 above 2s", body);
            Assert.Contains("Dashboard", body);
            Assert.Contains("https://grafana.example.com/d/checkout", body);
            Assert.Contains("https://runbooks.example.com/checkout", body);
            Assert.Contains(IncidentLink.AbsoluteUri, body);
            Assert.Contains("Acknowledge", body);
            Assert.Contains("Resolve", body);
            Assert.Contains("opens a confirmation page: nothing changes until you confirm there", body);
        }

        Assert.Contains($"Acknowledge: {AcknowledgeLink.AbsoluteUri}\n", email.PlainText);
        Assert.Contains($"Resolve: {ResolveLink.AbsoluteUri}\n", email.PlainText);
        Assert.Contains("href=\"https://incidents.example.com/respond?token=abc&amp;action=acknowledge\"", email.Html);
        Assert.Contains("href=\"https://incidents.example.com/respond?token=abc&amp;action=resolve\"", email.Html);
        Assert.Contains("p99 above 2s<br>for 10 minutes", email.Html);
    }

    [Fact]
    public void TheHtmlIsSelfContained()
    {
        var html = IncidentEmails.Render(Notification()).Html;

        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<script", html);
    }

    [Theory]
    [InlineData("Europe/Berlin", "Thu 2026-11-26 21:33:02 UTC+01:00", "Thu 2026-11-26 22:05:00 UTC+01:00")]
    [InlineData("America/New_York", "Thu 2026-11-26 15:33:02 UTC-05:00", "Thu 2026-11-26 16:05:00 UTC-05:00")]
    [InlineData("Asia/Kolkata", "Fri 2026-11-27 02:03:02 UTC+05:30", "Fri 2026-11-27 02:35:00 UTC+05:30")]
    [InlineData("W. Europe Standard Time", "Thu 2026-11-26 21:33:02 UTC+01:00", "Thu 2026-11-26 22:05:00 UTC+01:00")]
    public void TimesAreShownInTheRecipientsZone(string zone, string first, string last)
    {
        var email = IncidentEmails.Render(Notification(timeZone: zone));

        foreach (var body in Bodies(email))
        {
            Assert.Contains(first, body);
            Assert.Contains(last, body);
        }

        Assert.Matches(@"First alert:\s+" + Regex.Escape(first), email.PlainText);
    }

    [Fact]
    public void SummerTimeIsTheZonesSummerOffset()
    {
        var july = Incident with { FirstAlertAt = new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero) };

        var email = IncidentEmails.Render(Notification(incident: july));

        Assert.Contains("Wed 2026-07-01 14:00:00 UTC+02:00", email.PlainText);
    }

    [Fact]
    public void AnUnknownZoneFallsBackToUtcAndSaysSo()
    {
        var email = IncidentEmails.Render(Notification(timeZone: "Mars/Olympus_Mons"));

        foreach (var body in Bodies(email))
        {
            Assert.Contains("Thu 2026-11-26 20:33:02 UTC", body);
            Assert.Contains("Times are in UTC: the time zone", body);
            Assert.Contains("Mars/Olympus_Mons", body);
        }
    }

    [Fact]
    public void AnAcknowledgementShowsWhoAndWhen()
    {
        var acknowledged = Incident with
        {
            Status = IncidentStatus.Acknowledged,
            AcknowledgedBy = "bob@example.com",
            AcknowledgedAt = new DateTimeOffset(2026, 11, 26, 20, 40, 0, TimeSpan.Zero),
        };

        var email = IncidentEmails.Render(Notification(NotificationKind.Retriggered, acknowledged));

        Assert.Matches(@"Acknowledged:\s+bob@example.com, Thu 2026-11-26 21:40:00 UTC\+01:00\n", email.PlainText);
        Assert.Contains("bob@example.com, Thu 2026-11-26 21:40:00 UTC+01:00", email.Html);
    }

    [Fact]
    public void AResolvedEmailSaysWhoResolvedAndOffersNoActions()
    {
        var resolved = Incident with
        {
            Status = IncidentStatus.Resolved,
            ResolvedBy = "carol@example.com",
            ResolvedAt = new DateTimeOffset(2026, 11, 26, 21, 30, 0, TimeSpan.Zero),
        };

        var email = IncidentEmails.Render(Notification(NotificationKind.Resolved, resolved, level: null));

        foreach (var body in Bodies(email))
        {
            Assert.Contains("Resolved by carol@example.com, Thu 2026-11-26 22:30:00 UTC+01:00.", body);
            Assert.Contains(IncidentLink.AbsoluteUri, body);
            Assert.DoesNotContain("token=abc", body);
            Assert.DoesNotContain("confirmation page", body);
        }
    }

    [Fact]
    public void ActionsWithoutALinkAreLeftOut()
    {
        var notification = Notification() with { Links = new EmailLinks(IncidentLink, AcknowledgeLink, null) };

        var email = IncidentEmails.Render(notification);

        Assert.Contains("action=acknowledge", email.PlainText);
        Assert.DoesNotContain("action=resolve", email.PlainText);
        Assert.DoesNotContain("action=resolve", email.Html);
    }

    [Fact]
    public void EverythingAnAlertSenderWroteIsEscaped()
    {
        var hostile = Incident with
        {
            Title = "<script>alert('title')</script>",
            Description = "<img src=x onerror=alert(1)>",
            Source = "<b>source</b>",
            ServiceName = "<i>service</i>",
            AcknowledgedBy = "<u>someone</u>",
            Links =
            [
                new("https://evil.example.com/?q=\"><script>alert(2)</script>", "<svg onload=alert(3)>"),
                new("javascript:alert(4)", "click me"),
            ],
        };

        var html = IncidentEmails.Render(Notification(incident: hostile)).Html;

        Assert.Contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("&lt;svg onload=alert(3)&gt;", html);
        Assert.Contains("href=\"https://evil.example.com/?q=&quot;&gt;&lt;script&gt;", html);
        foreach (var tag in new[] { "<script", "<img", "<svg", "<b>", "<i>", "<u>", "href=\"javascript:" })
        {
            Assert.DoesNotContain(tag, html);
        }

        Assert.Contains("click me (javascript:alert(4))", html);
    }

    [Fact]
    public void HeadersRecipientAndIdempotencyKeyComeFromTheNotification()
    {
        var notification = Notification(NotificationKind.Retriggered, level: 3);

        var email = IncidentEmails.Render(notification);

        Assert.Equal(new EmailAddress("alice@example.com", "Alice Example"), email.To);
        Assert.Equal(notification.IdempotencyKey, email.IdempotencyKey);
        Assert.Equal(
            new Dictionary<string, string>
            {
                [NotificationHeaders.IncidentId] = "inc-1",
                [NotificationHeaders.Kind] = "retriggered",
                [NotificationHeaders.Level] = "3",
                [NotificationHeaders.Priority] = "P1",
            },
            email.Headers);
    }

    [Fact]
    public void WithoutALevelThereIsNoLevelHeader()
    {
        var email = IncidentEmails.Render(Notification(NotificationKind.Exhausted, level: null));

        Assert.False(email.Headers.ContainsKey(NotificationHeaders.Level));
        Assert.Equal("exhausted", email.Headers[NotificationHeaders.Kind]);
    }
}

public sealed class CoordinationEmailTests
{
    static readonly IncidentSnapshot Incident = new(
        "inc-2", "Checkout down", Severity.Critical, Priority.P1, IncidentStatus.Acknowledged, "Checkout", 1,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "From the alert", null, [], "alice", DateTimeOffset.UnixEpoch, null, null);

    static EmailMessage Render(NotificationKind kind, NotificationMessage message) => IncidentEmails.Render(new NotificationEmail(
        kind, null, Incident, new Recipient("bob", "Bob", "bob@example.com", "UTC"),
        new EmailLinks(new Uri("https://incidents.example.com/incidents/inc-2"), new Uri("https://x.example/ack"), new Uri("https://x.example/res")),
        Guid.NewGuid(), message));

    [Theory]
    [InlineData(NotificationKind.RoleAssigned, "[P1][Role assigned] Checkout down")]
    [InlineData(NotificationKind.StatusUpdate, "[P1][Status update] Checkout down")]
    [InlineData(NotificationKind.Reminder, "[P1][Reminder] Checkout down")]
    public void APeopleMessageIsTaggedByItsKindAndCarriesNoAcknowledgeOrResolveLink(NotificationKind kind, string subject)
    {
        var email = Render(kind, new NotificationMessage("You are the communications lead.", "Post to the status page every 30 minutes.", "Instructions"));

        Assert.Equal(subject, email.Subject);
        Assert.Contains("You are the communications lead.", email.PlainText, StringComparison.Ordinal);
        Assert.Contains("Instructions:\nPost to the status page every 30 minutes.", email.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("x.example/ack", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("From the alert", email.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatAPersonWroteIsEscapedInTheHtml()
    {
        var email = Render(NotificationKind.StatusUpdate, new NotificationMessage("Update <b>1</b>", "<script>alert(1)</script><a href=\"javascript:x\">x</a>"));

        Assert.DoesNotContain("<script>", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<a href=\"javascript:", email.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", email.Html, StringComparison.Ordinal);
        Assert.Contains("Update &lt;b&gt;1&lt;/b&gt;", email.Html, StringComparison.Ordinal);
    }
}
