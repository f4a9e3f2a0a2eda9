using IncidentFunctions.DevHost.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// What a self-hosted benchmark run talks to: its own Azurite and MailDev on free loopback ports, data in a temporary
/// folder, so a run never touches (or collides with) a developer's dev host. Removed at the end.
/// </summary>
public sealed class BenchStack : IAsyncDisposable
{
    readonly DirectoryInfo state = Directory.CreateTempSubdirectory("incidentfunctions-bench-");
    readonly List<NodeService> services = [];

    public AzuritePorts Azurite { get; } = AzuritePorts.Free();

    public MailDevPorts MailDev { get; } = MailDevPorts.Free();

    public string StateFolder => state.FullName;

    /// <summary>The dev host settings (environment variable spelling) that point it at this stack.</summary>
    public Dictionary<string, string> Settings => new()
    {
        [ConnectionNames.Storage] = Azurite.ConnectionString,
        ["Email__Transport"] = "Smtp",
        ["Email__From"] = "bench@localhost",
        ["Email__Smtp__Host"] = "127.0.0.1",
        ["Email__Smtp__Port"] = MailDev.Smtp.ToString(),
        ["Email__Smtp__Security"] = "None",
    };

    public static async Task<BenchStack> StartAsync(bool azuriteOnDisk, Action<string> progress)
    {
        var stack = new BenchStack();
        try
        {
            var paths = RepositoryPaths.Find();
            await LocalTools.EnsureNpmPackagesAsync(paths, NullLogger.Instance);
            var ports = stack.Azurite;
            progress($"starting Azurite on 127.0.0.1:{ports.Blob},{ports.Queue},{ports.Table} and MailDev on SMTP {stack.MailDev.Smtp}, web {stack.MailDev.Web}, in {stack.StateFolder}");
            stack.services.Add(await LocalTools.StartAzuriteAsync(paths, Path.Combine(stack.StateFolder, "azurite"), ports, inMemory: !azuriteOnDisk));
            stack.services.Add(await LocalTools.StartMailDevAsync(paths, Path.Combine(stack.StateFolder, "maildev"), stack.MailDev));
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }

        DeleteQuietly(state);
    }

    static void DeleteQuietly(DirectoryInfo directory)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                directory.Refresh();
                if (directory.Exists)
                {
                    directory.Delete(recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 3)
                {
                    Console.Error.WriteLine($"could not delete {directory.FullName}: {e.Message}");
                }

                Thread.Sleep(500);
            }
        }
    }
}
