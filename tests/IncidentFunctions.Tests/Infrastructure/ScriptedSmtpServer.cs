using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// An SMTP server that answers every RCPT TO with the given reply: MailDev accepts every recipient, and a 4xx or
/// 5xx reply is what the sender has to tell apart.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    readonly Task serving;

    public ScriptedSmtpServer(string recipientReply)
    {
        listener.Start();
        serving = ServeAsync(recipientReply);
    }

    int recipientsTried;

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>How many RCPT TO commands it has answered: how many deliveries were attempted.</summary>
    public int RecipientsTried => Volatile.Read(ref recipientsTried);

    async Task ServeAsync(string recipientReply)
    {
        while (!stop.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 scripted ESMTP");
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var verb = line.Split(' ', ':')[0].ToUpperInvariant();
                if (verb == "RCPT")
                {
                    Interlocked.Increment(ref recipientsTried);
                }

                await writer.WriteLineAsync(verb switch
                {
                    "RCPT" => recipientReply,
                    "QUIT" => "221 bye",
                    _ => "250 ok",
                });
                if (verb == "QUIT")
                {
                    break;
                }
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
