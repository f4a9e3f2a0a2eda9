using System.Collections.Concurrent;
using System.Diagnostics;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Notifications;

/// <summary>
/// SMTP connections kept open between sends. Opening one is the slowest part of an email: the TCP handshake, the
/// server's greeting (many servers look up the client's name first: MailDev takes 100 ms to greet on the development
/// VM), EHLO, STARTTLS and AUTH on a relay. A page should not wait for that when a connection from the previous send is
/// still open, so one is taken from here, used for one message, and given back.
/// </summary>
/// <remarks>
/// MailKit's <see cref="SmtpClient"/> is not thread-safe: a connection serves one send at a time, and a send that finds
/// none idle opens its own (sends are never queued behind each other). At most <see cref="MaxIdle"/> are kept. One
/// idle longer than <see cref="CheckAfter"/> is asked NOOP before use (servers drop idle clients after a few minutes);
/// one idle longer than <see cref="MaxIdleTime"/>, or that has carried <see cref="MaxMessages"/>, is closed instead.
/// A connection that failed in any way is never given back.
/// </remarks>
internal sealed class SmtpConnections(IOptions<EmailOptions> options) : IAsyncDisposable, IDisposable
{
    public const int MaxIdle = 4;

    /// <summary>
    /// Kept open while nothing is sent (<see cref="KeepOpenAsync"/>). Two: new incidents come in bursts (an outage
    /// opens several at once), and the first pages after a quiet spell were measured going out two at a time, the
    /// second waiting 130 ms for a connection of its own (MailDev's greeting) when only one was kept.
    /// </summary>
    public const int KeptOpen = 2;
    public const int MaxMessages = 100;
    public static readonly TimeSpan CheckAfter = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxIdleTime = TimeSpan.FromMinutes(2);

    readonly ConcurrentBag<SmtpConnection> idle = [];
    int disposed;

    /// <summary>An idle connection that still answers, or a new one.</summary>
    public Task<SmtpConnection> RentAsync(CancellationToken ct) => RentAsync(ct, check: false);

    async Task<SmtpConnection> RentAsync(CancellationToken ct, bool check)
    {
        while (idle.TryTake(out var connection))
        {
            var idleFor = connection.IdleFor;
            if (idleFor > MaxIdleTime || !connection.Client.IsConnected)
            {
                await CloseAsync(connection);
                continue;
            }

            if (check || idleFor > CheckAfter)
            {
                try
                {
                    await connection.Client.NoOpAsync(ct);
                }
                catch (Exception e) when (e is IOException or ServiceNotConnectedException or SmtpProtocolException or SmtpCommandException)
                {
                    connection.Client.Dispose();
                    continue;
                }
            }

            return connection;
        }

        return await OpenAsync(ct);
    }

    /// <summary>Gives back a connection whose last send succeeded; the others are <see cref="Discard"/>ed.</summary>
    public void Return(SmtpConnection connection)
    {
        connection.Sent++;
        if (Volatile.Read(ref disposed) == 1 || connection.Sent >= MaxMessages || !connection.Client.IsConnected || idle.Count >= MaxIdle)
        {
            _ = CloseAsync(connection);
            return;
        }

        connection.IdleSince = Stopwatch.GetTimestamp();
        idle.Add(connection);
    }

    /// <summary>
    /// Makes sure <see cref="KeptOpen"/> connections are open and answering: idle ones are asked NOOP (which also keeps
    /// the server from closing them), and new ones are opened for the rest. Throws what opening throws, keeping those
    /// that did open.
    /// </summary>
    public async Task KeepOpenAsync(CancellationToken ct)
    {
        var checkedOut = new List<SmtpConnection>(KeptOpen);
        try
        {
            while (checkedOut.Count < KeptOpen)
            {
                checkedOut.Add(await RentAsync(ct, check: true));
            }
        }
        finally
        {
            foreach (var connection in checkedOut)
            {
                connection.IdleSince = Stopwatch.GetTimestamp();
                idle.Add(connection);
            }
        }
    }

    /// <summary>For a connection whose send failed: its state is unknown, so it is dropped without a word.</summary>
    public static void Discard(SmtpConnection connection) => connection.Client.Dispose();

    async Task<SmtpConnection> OpenAsync(CancellationToken ct)
    {
        // EmailOptionsValidator has made sure of the settings used with '!' here.
        var smtp = options.Value.Smtp;
        var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(smtp.Host!, smtp.Port, ToMailKit(smtp.Security), ct);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password!, ct);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new SmtpConnection(client);
    }

    static async Task CloseAsync(SmtpConnection connection)
    {
        try
        {
            if (connection.Client.IsConnected)
            {
                using var quitting = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await connection.Client.DisconnectAsync(quit: true, quitting.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ServiceNotConnectedException or SmtpProtocolException or SmtpCommandException)
        {
            // Closing politely is a courtesy; the socket goes either way.
        }
        finally
        {
            connection.Client.Dispose();
        }
    }

    static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.Auto => SecureSocketOptions.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, null),
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await Task.WhenAll(idle.Select(CloseAsync));
        idle.Clear();
    }

    /// <summary>Where the container is disposed synchronously: the sockets close without QUIT.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        while (idle.TryTake(out var connection))
        {
            connection.Client.Dispose();
        }
    }
}

/// <summary>One open SMTP connection and how it has been used.</summary>
internal sealed class SmtpConnection(SmtpClient client)
{
    public SmtpClient Client { get; } = client;

    /// <summary>Messages sent on it so far.</summary>
    public int Sent { get; set; }

    /// <summary>When it was last given back (a <see cref="Stopwatch"/> timestamp); zero while new.</summary>
    public long IdleSince { get; set; }

    /// <summary>True when it came from the pool rather than being opened for this send.</summary>
    public bool Reused => Sent > 0;

    public TimeSpan IdleFor => IdleSince == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(IdleSince);
}
