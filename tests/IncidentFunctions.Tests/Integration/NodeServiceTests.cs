using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Notifications;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// The local tools as child processes: one that dies on its own is noticed with its last words (the dev host logs them),
/// one that is stopped on purpose is not, and the tests' MailDev comes back with the mail it had.
/// </summary>
public sealed class NodeServiceTests(MailDevFixture maildev) : IClassFixture<MailDevFixture>, IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("incidentfunctions-node-").FullName;

    /// <summary>A Node service on the port it is given that dies (exit code 3, after a last word) when a client says "die".</summary>
    string Script()
    {
        var path = Path.Combine(folder, "service.js");
        File.WriteAllText(path, """
            const port = Number(process.argv[2]);
            require('net')
              .createServer(socket => socket.on('data', data => {
                if (String(data).startsWith('die')) { console.error('fatal: told to die'); process.exit(3); }
              }))
              .listen(port, '127.0.0.1', () => console.log('listening on ' + port));
            """);
        return path;
    }

    static async Task TellToDieAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await client.GetStream().WriteAsync("die\n"u8.ToArray());
    }

    [Fact]
    public async Task AServiceThatExitsOnItsOwnRaisesStoppedWithItsExitCodeAndLastOutput()
    {
        var port = NodeService.FreePort();
        var stopped = new TaskCompletionSource<NodeService>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var service = await NodeService.StartAsync("crasher", Script(), [port.ToString()], [port], TimeSpan.FromSeconds(30));
        service.Stopped += s => stopped.TrySetResult(s);

        await TellToDieAsync(port);
        var reported = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Same(service, reported);
        Assert.Equal(3, reported.ExitCode);
        Assert.EndsWith("fatal: told to die", reported.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceStoppedByDisposeDoesNotRaiseStopped()
    {
        var port = NodeService.FreePort();
        var raised = false;
        var service = await NodeService.StartAsync("steady", Script(), [port.ToString()], [port], TimeSpan.FromSeconds(30));
        service.Stopped += _ => raised = true;
        var pid = service.ProcessId;

        await service.DisposeAsync();

        Assert.True(ExitedOrGone(pid));
        Assert.False(raised);
    }

    [Fact]
    public async Task AServiceStoppedByDisposeIsInterruptedAsByCtrlCAndGivenTimeToSaveItsData()
    {
        // As Azurite's table service: saves on SIGINT, a while after it is asked, and ends at once on SIGTERM.
        var (script, saved) = Saver("""setTimeout(() => { save(); process.exit(0); }, 300);""");
        var port = NodeService.FreePort();
        var service = await NodeService.StartAsync("saver", script, [port.ToString()], [port], TimeSpan.FromSeconds(30));

        await service.DisposeAsync();

        Assert.True(File.Exists(saved), "the service was stopped before it could save");
    }

    [Fact]
    public async Task AServiceThatSaysItHasClosedButLingersIsKilledThenInsteadOfAfterTheGrace()
    {
        // As Azurite: saves and says so on SIGINT, then waits for its clients' connections, which never close here.
        var (script, saved) = Saver("""save(); console.log('Lingerer service successfully closed'); setInterval(() => {}, 1000);""");
        var port = NodeService.FreePort();
        var service = await NodeService.StartAsync("lingerer", script, [port.ToString()], [port], TimeSpan.FromSeconds(30), closedLine: "successfully closed");
        var pid = service.ProcessId;
        var stopping = Stopwatch.StartNew();

        await service.DisposeAsync();

        Assert.True(stopping.Elapsed < NodeService.StopGrace, $"the stop waited out the grace ({stopping.Elapsed.TotalSeconds:0.0} s)");
        Assert.True(File.Exists(saved), "the service was stopped before it could save");
        Assert.True(ExitedOrGone(pid));
    }

    /// <summary>A service on the port it is given that runs <paramref name="onSigint"/> on SIGINT, where save() writes the file returned.</summary>
    (string Script, string Saved) Saver(string onSigint)
    {
        var saved = Path.Combine(folder, "saved-" + Guid.NewGuid().ToString("N"));
        var script = Path.Combine(folder, "saver-" + Guid.NewGuid().ToString("N") + ".js");
        File.WriteAllText(script, $$"""
            const port = Number(process.argv[2]);
            const save = () => require('fs').writeFileSync({{JsonSerializer.Serialize(saved)}}, 'saved');
            require('net').createServer(() => {}).listen(port, '127.0.0.1');
            process.once('SIGINT', () => { {{onSigint}} });
            """);
        return (script, saved);
    }

    [Fact]
    public async Task AKilledMailDevIsStartedAgainOnItsPortsWithTheMailItHad()
    {
        var incidentId = "inc-" + Guid.NewGuid().ToString("N");
        await using var services = new ServiceCollection().AddLogging()
            .AddEmail(new ConfigurationBuilder().AddInMemoryCollection(maildev.EmailSettings).Build())
            .BuildServiceProvider();
        var sender = services.GetRequiredService<IEmailSender>();
        await sender.SendAsync(Message(incidentId, "before"), CancellationToken.None);
        await Eventually.Get<IReadOnlyList<MailDevEmail>>(async () => await maildev.EmailsAsync(incidentId), list => list is { Count: 1 }, "the first email");
        var restarts = maildev.Restarts;
        var killed = maildev.ProcessId;

        Process.GetProcessById(killed).Kill();
        await Eventually.Get(
            async () => maildev.Restarts == restarts + 1 && maildev.ProcessId != killed && await NodeService.AcceptsAsync(maildev.Ports.Smtp) ? "started again" : null,
            "MailDev started again");
        await sender.SendAsync(Message(incidentId, "after"), CancellationToken.None);

        var emails = await Eventually.Get<IReadOnlyList<MailDevEmail>>(async () => await maildev.EmailsAsync(incidentId), list => list is { Count: 2 }, "both emails");
        Assert.Equal(["before", "after"], emails.Select(e => e.Subject));
    }

    static EmailMessage Message(string incidentId, string subject) => new(
        new EmailAddress("alice@example.com", "Alice"), subject, "text", "<p>html</p>", Guid.NewGuid(),
        new Dictionary<string, string> { [NotificationHeaders.IncidentId] = incidentId });

    static bool ExitedOrGone(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
