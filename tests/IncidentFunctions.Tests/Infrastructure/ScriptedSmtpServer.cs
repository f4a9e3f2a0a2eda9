using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// An SMTP server whose answers a test chooses, for what MailDev cannot do: it answers every RCPT TO (or, given
/// <c>onlyFor</c>, those naming that address; the others get 250) with <c>recipientReply</c> (MailDev accepts every
/// recipient, and a 4xx or 5xx reply is what the sender has to tell apart),
/// and it can hold the delivery of an email to <c>heldRecipient</c> after the message is sent, before its answer, until
/// <see cref="Release"/>, so that the sender stays in the middle of its send for as long as a test needs.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly string recipientReply;
    readonly string? heldRecipient;
    readonly string? onlyFor;
    readonly bool hangUpAfterMessage;
    readonly Task serving;
    int recipientsTried;
    int connections;
    int messages;

    /// <param name="hangUpAfterMessage">Closes the connection after answering each message, as a server does to a client it thinks idle.</param>
    public ScriptedSmtpServer(string recipientReply = "250 ok", string? heldRecipient = null, string? onlyFor = null, bool hangUpAfterMessage = false)
    {
        this.hangUpAfterMessage = hangUpAfterMessage;
        this.recipientReply = recipientReply;
        this.heldRecipient = heldRecipient;
        this.onlyFor = onlyFor;
        listener.Start();
        serving = ServeAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>How many RCPT TO commands it has answered: how many deliveries were attempted.</summary>
    public int RecipientsTried => Volatile.Read(ref recipientsTried);

    /// <summary>How many connections it has accepted.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>How many messages it has accepted (250 after DATA).</summary>
    public int Messages => Volatile.Read(ref messages);

    /// <summary>Completes when a delivery to the held recipient waits for its answer.</summary>
    public Task Held => held.Task;

    /// <summary>The app settings that send email here.</summary>
    public IReadOnlyDictionary<string, string> EmailSettings => new Dictionary<string, string>
    {
        ["Email__Transport"] = "Smtp",
        ["Email__From"] = "incidents@example.com",
        ["Email__Smtp__Host"] = "127.0.0.1",
        ["Email__Smtp__Port"] = Port.ToString(),
        ["Email__Smtp__Security"] = "None",
    };

    public void Release() => released.TrySetResult();

    async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            Interlocked.Increment(ref connections);
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    // The server or the sender hung up.
                }
                finally
                {
                    client.Dispose();
                }
            });
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 scripted ESMTP");
        var holdThis = false;
        while (await reader.ReadLineAsync(stop.Token) is { } line)
        {
            var verb = line.Split(' ', ':')[0].ToUpperInvariant();
            if (verb == "RCPT")
            {
                Interlocked.Increment(ref recipientsTried);
                holdThis |= heldRecipient is not null && line.Contains(heldRecipient, StringComparison.OrdinalIgnoreCase);
            }

            if (verb == "DATA")
            {
                await writer.WriteLineAsync("354 go ahead");
                while (await reader.ReadLineAsync(stop.Token) is { } body && body != ".")
                {
                }

                if (holdThis)
                {
                    held.TrySetResult();
                    await released.Task.WaitAsync(stop.Token);
                }

                holdThis = false;
                // Counted before the answer, so that a sender that has its answer finds it counted.
                Interlocked.Increment(ref messages);
                await writer.WriteLineAsync("250 ok");
                if (hangUpAfterMessage)
                {
                    break;
                }

                continue;
            }

            await writer.WriteLineAsync(verb switch
            {
                "RCPT" when onlyFor is null || line.Contains(onlyFor, StringComparison.OrdinalIgnoreCase) => recipientReply,
                "QUIT" => "221 bye",
                _ => "250 ok",
            });
            if (verb == "QUIT")
            {
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // Stopping is the only way out of the accept loop.
        }

        stop.Dispose();
    }
}
