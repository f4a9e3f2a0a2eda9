using IncidentFunctions.DevHost.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>A real SMTP inbox (MailDev) on free loopback ports, with its REST API to read what arrived.</summary>
public sealed class MailDevFixture : IAsyncLifetime
{
    NodeService? maildev;
    string? folder;

    public MailDevPorts Ports { get; } = MailDevPorts.Free();

    public MailDevClient Inbox { get; private set; } = null!;

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
        var paths = RepositoryPaths.Find();
        await LocalTools.EnsureNpmPackagesAsync(paths, NullLogger.Instance);
        folder = Path.Combine(Path.GetTempPath(), "incidentfunctions-maildev-" + Guid.NewGuid().ToString("N"));
        maildev = await LocalTools.StartMailDevAsync(paths, folder, Ports);
        Inbox = new MailDevClient(Ports);
    }

    public async Task DisposeAsync()
    {
        Inbox?.Dispose();
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
