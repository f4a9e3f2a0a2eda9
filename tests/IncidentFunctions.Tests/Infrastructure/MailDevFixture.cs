using System.Net.Sockets;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Notifications;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Integration;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// A real SMTP inbox (MailDev) on free loopback ports, with its REST API to read what arrived.
/// MailDev is a test tool, not the system under test: it shuts itself down on any error it does not handle. If it stops
/// during a run, the fixture says why (an xunit diagnostic message with its last output) and starts it again on the same
/// ports and mail folder, which it reloads, so the emails already received are still there and the app's retried
/// sends land.
/// </summary>
public sealed class MailDevFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    readonly SemaphoreSlim restart = new(1, 1);
    NodeService? maildev;
    string? folder;
    bool disposed;

    public MailDevPorts Ports { get; } = MailDevPorts.Free();

    MailDevClient inbox = null!;

    /// <summary>How many times MailDev stopped on its own and was started again.</summary>
    public int Restarts { get; private set; }

    /// <summary>The MailDev process running now.</summary>
    public int ProcessId => maildev!.ProcessId;

    /// <summary>The app settings that send email here.</summary>
    public IReadOnlyDictionary<string, string?> EmailSettings => new Dictionary<string, string?>
    {
        ["Email:Transport"] = "Smtp",
        ["Email:From"] = "incidents@example.com",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Ports.Smtp.ToString(),
        ["Email:Smtp:Security"] = "None",
    };

    public async Task InitializeAsync()
    {
        await LocalTools.EnsureNpmPackagesAsync(RepositoryPaths.Find(), NullLogger.Instance);
        folder = Path.Combine(Path.GetTempPath(), "incidentfunctions-maildev-" + Guid.NewGuid().ToString("N"));
        await StartAsync();
        inbox = new MailDevClient(Ports);
    }

    /// <summary>
    /// The emails MailDev holds for an incident, in arrival order. While MailDev is being started again its API refuses
    /// connections; that is waited out (up to 30 s), so a restart never fails a test that reads the inbox.
    /// </summary>
    public async Task<IReadOnlyList<MailDevEmail>> EmailsAsync(string incidentId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await inbox.ListAsync(NotificationHeaders.IncidentId, incidentId);
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    async Task StartAsync()
    {
        var service = await LocalTools.StartMailDevAsync(RepositoryPaths.Find(), folder!, Ports);
        service.Stopped += stopped => _ = RestartAsync(stopped);
        maildev = service;
    }

    async Task RestartAsync(NodeService stopped)
    {
        await restart.WaitAsync();
        try
        {
            if (disposed || !ReferenceEquals(stopped, maildev))
            {
                return;
            }

            Restarts++;
            diagnostics.OnMessage(new DiagnosticMessage(
                $"MailDev on SMTP port {Ports.Smtp} stopped (exit code {stopped.ExitCode}; 137 is a kill, as NodeServiceTests does on purpose); starting it again. Its last output:\n{stopped.Output}"));
            await stopped.DisposeAsync();
            await StartAsync();
        }
        catch (Exception e)
        {
            diagnostics.OnMessage(new DiagnosticMessage($"MailDev could not be started again: {e}"));
        }
        finally
        {
            restart.Release();
        }
    }

    public async Task DisposeAsync()
    {
        await restart.WaitAsync();
        disposed = true;
        restart.Release();
        inbox?.Dispose();
        if (maildev is not null)
        {
            await maildev.DisposeAsync();
        }

        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
