using System.Net;
using System.Net.Sockets;
using System.Text;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Notifications;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>The SMTP transport against a real inbox (MailDev), and against a scripted server for the replies MailDev never gives.</summary>
public sealed class SmtpEmailSenderTests(MailDevFixture maildev) : IClassFixture<MailDevFixture>
{
    static ServiceProvider Services(IReadOnlyDictionary<string, string?> settings, params (string Key, string? Value)[] overrides)
    {
        var all = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in overrides)
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        return new ServiceCollection().AddLogging().AddEmail(configuration).BuildServiceProvider();
    }

    static EmailMessage Message(string incidentId) => new(
        new EmailAddress("alice@example.com", "Alice Example"),
        $"[P1] Checkout latency — {incidentId}",
        "Plain body: 3 alerts",
        "<p>HTML body: <b>3 alerts</b></p>",
        Guid.NewGuid(),
        new Dictionary<string, string>
        {
            [NotificationHeaders.IncidentId] = incidentId,
            [NotificationHeaders.Kind] = "page",
            [NotificationHeaders.Level] = "2",
        });

    [Fact]
    public async Task DeliversBothBodiesTheHeadersAndAMessageIdFromTheIdempotencyKey()
    {
        await using var services = Services(maildev.EmailSettings, ("Email:FromName", "Incidents (test)"));
        var incidentId = "inc-" + Guid.NewGuid().ToString("N");
        var message = Message(incidentId);

        await services.GetRequiredService<IEmailSender>().SendAsync(message, CancellationToken.None);

        var received = await Eventually.Get<IReadOnlyList<MailDevEmail>>(
            async () => await maildev.EmailsAsync(incidentId),
            list => list is { Count: > 0 },
            "the email in MailDev");
        var email = Assert.Single(received);
        Assert.Equal(message.Subject, email.Subject);
        Assert.Equal("Plain body: 3 alerts", email.Text?.Trim());
        Assert.Contains("<b>3 alerts</b>", email.Html);
        Assert.Equal("page", email.Header(NotificationHeaders.Kind));
        Assert.Equal("2", email.Header(NotificationHeaders.Level));
        Assert.Equal($"<{message.IdempotencyKey:N}@incidentfunctions>", email.Header("Message-ID"));
        Assert.Equal(new MailDevAddress("incidents@example.com", "Incidents (test)"), Assert.Single(email.From));
        Assert.Equal(new MailDevAddress("alice@example.com", "Alice Example"), Assert.Single(email.To));
    }

    [Fact]
    public async Task AnUnreachableServerThrowsSomethingRetryable()
    {
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", NodeService.FreePort().ToString()));

        var error = await Record.ExceptionAsync(() =>
            services.GetRequiredService<IEmailSender>().SendAsync(Message("unreachable"), CancellationToken.None));

        Assert.IsType<SocketException>(error, exactMatch: false);
    }

    [Fact]
    public async Task APermanentRecipientRejectionIsEmailRejected()
    {
        await using var server = new ScriptedSmtpServer("550 5.1.1 No such user");
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", server.Port.ToString()));

        var error = await Assert.ThrowsAsync<EmailRejectedException>(() =>
            services.GetRequiredService<IEmailSender>().SendAsync(Message("rejected"), CancellationToken.None));

        Assert.Contains("550", error.Message);
    }

    [Fact]
    public async Task ATemporaryRecipientRejectionIsNotEmailRejected()
    {
        await using var server = new ScriptedSmtpServer("450 4.2.1 Mailbox busy, try later");
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", server.Port.ToString()));

        var error = await Record.ExceptionAsync(() =>
            services.GetRequiredService<IEmailSender>().SendAsync(Message("deferred"), CancellationToken.None));

        Assert.NotNull(error);
        Assert.IsNotType<EmailRejectedException>(error);
        Assert.Contains("Mailbox busy", error.Message);
    }

    [Fact]
    public async Task TheNextEmailGoesOnTheConnectionThePreviousOneOpened()
    {
        await using var server = new ScriptedSmtpServer();
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", server.Port.ToString()));
        var sender = services.GetRequiredService<IEmailSender>();

        await sender.SendAsync(Message("first"), CancellationToken.None);
        await sender.SendAsync(Message("second"), CancellationToken.None);

        Assert.Equal(2, server.Messages);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task AKeptConnectionTheServerClosedIsReplacedAndTheEmailStillGoes()
    {
        await using var server = new ScriptedSmtpServer(hangUpAfterMessage: true);
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", server.Port.ToString()));
        var sender = services.GetRequiredService<IEmailSender>();

        await sender.SendAsync(Message("first"), CancellationToken.None);
        await sender.SendAsync(Message("after the hang-up"), CancellationToken.None);

        Assert.Equal(2, server.Messages);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task TwoEmailsAtOnceAfterAQuietSpellEachFindAConnectionKeptOpenForThem()
    {
        await using var server = new ScriptedSmtpServer(heldRecipient: "held@example.com");
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", server.Port.ToString()));
        await services.GetRequiredService<SmtpConnections>().KeepOpenAsync(CancellationToken.None);
        Assert.Equal(SmtpConnections.KeptOpen, server.Connections);
        var sender = services.GetRequiredService<IEmailSender>();

        // The first stays in the middle of its send while the second goes.
        var first = sender.SendAsync(Message("held") with { To = new EmailAddress("held@example.com") }, CancellationToken.None);
        await server.Held.WaitAsync(TimeSpan.FromSeconds(30));
        await sender.SendAsync(Message("beside it"), CancellationToken.None);
        server.Release();
        await first;

        Assert.Equal(2, server.Messages);
        Assert.Equal(SmtpConnections.KeptOpen, server.Connections);
    }

    [Fact]
    public async Task KeepingConnectionsOpenAgainChecksTheKeptOnesInsteadOfOpeningMore()
    {
        await using var server = new ScriptedSmtpServer();
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", server.Port.ToString()));
        var connections = services.GetRequiredService<SmtpConnections>();

        await connections.KeepOpenAsync(CancellationToken.None);
        await connections.KeepOpenAsync(CancellationToken.None);
        await services.GetRequiredService<IEmailSender>().SendAsync(Message("first"), CancellationToken.None);

        Assert.Equal(1, server.Messages);
        Assert.Equal(SmtpConnections.KeptOpen, server.Connections);
    }

    [Fact]
    public async Task KeepingAConnectionOpenToAServerThatIsDownThrows()
    {
        await using var services = Services(maildev.EmailSettings, ("Email:Smtp:Port", NodeService.FreePort().ToString()));

        var error = await Record.ExceptionAsync(() => services.GetRequiredService<SmtpConnections>().KeepOpenAsync(CancellationToken.None));

        Assert.IsType<SocketException>(error, exactMatch: false);
    }
}
