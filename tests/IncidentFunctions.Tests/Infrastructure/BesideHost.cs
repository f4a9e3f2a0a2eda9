using IncidentFunctions.DevHost.Local;
using IncidentFunctions.TestTools;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// A second dev host beside the collection's: the same Azurite and MailDev, its own port, data folder and task hub (so
/// its orchestrations, timers and housekeeping touch no other test's), with settings of its own on top of the
/// fixture's. Disposing it stops the host and removes its data folder.
/// </summary>
public sealed class BesideHost : IAsyncDisposable
{
    BesideHost(DevHostProcess host, DurableTaskClient durable, string dataFolder)
    {
        Host = host;
        Durable = durable;
        this.dataFolder = dataFolder;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    readonly string dataFolder;

    public DevHostProcess Host { get; }

    public HttpClient Http { get; }

    /// <summary>A Durable Task client on this host's task hub.</summary>
    public DurableTaskClient Durable { get; }

    /// <summary>Starts it; <paramref name="name"/> prefixes its task hub and data folder, <paramref name="configure"/> changes its settings.</summary>
    public static async Task<BesideHost> StartAsync(DevHostFixture fixture, string name, Action<Dictionary<string, string>> configure)
    {
        var port = NodeService.FreePort();
        var dataFolder = Directory.CreateTempSubdirectory($"incidentfunctions-{name.ToLowerInvariant()}-").FullName;
        var settings = fixture.Settings(port, dataFolder);
        settings["AzureFunctionsJobHost__extensions__durableTask__hubName"] = name + Guid.NewGuid().ToString("N")[..8];
        configure(settings);
        try
        {
            var host = await DevHostProcess.StartAsync(port, settings, TimeSpan.FromMinutes(3));
            return new BesideHost(host, fixture.DurableClient(host), dataFolder);
        }
        catch
        {
            Directory.Delete(dataFolder, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Durable.DisposeAsync();
        await Host.DisposeAsync();
        Directory.Delete(dataFolder, recursive: true);
    }
}
