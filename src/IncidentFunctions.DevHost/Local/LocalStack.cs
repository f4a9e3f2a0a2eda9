using IncidentFunctions.DevHost.Functions;

namespace IncidentFunctions.DevHost.Local;

/// <summary>
/// The local stand-ins the dev host starts for what is not configured: Azurite for Storage and the Durable task hub
/// when no storage connection is set, MailDev as the SMTP inbox when no Email transport is set. Data stays in the data
/// folder (the git-ignored .devhost) across restarts. What is configured (Azure Storage, an Azurite or relay you run) is used.
/// </summary>
public sealed partial class LocalStack : IAsyncDisposable
{
    /// <summary>How long tools a killed host left behind get to finish their own shutdown (they began it when it died).</summary>
    static readonly TimeSpan LeftoverGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the ports of tools a killed host left behind may stay taken once they are stopped: they shut down cleanly
    /// (Azurite saves first) and may still hold a port for a moment after they no longer count as running.
    /// </summary>
    static readonly TimeSpan LeftoverPortsFreeWithin = TimeSpan.FromSeconds(5);

    readonly List<NodeService> services = [];
    DataFolderLock? dataFolder;
    volatile bool stopping;

    /// <summary>The Azurite the dev host started, or null when storage is configured.</summary>
    public AzuritePorts? Azurite { get; private set; }

    public MailDevPorts? MailDev { get; private set; }

    /// <exception cref="DevHostStartException">The data folder or a port is taken; the message says by whom and what to do.</exception>
    public static async Task<LocalStack> StartIfNeededAsync(ConfigurationManager configuration, RepositoryPaths paths, DevHostOptions options, ILogger logger)
    {
        var stack = new LocalStack();
        var storageConfigured = !string.IsNullOrWhiteSpace(configuration[ConnectionNames.Storage]) ||
                                configuration.GetSection(ConnectionNames.Storage).GetChildren().Any();
        var emailConfigured = !string.IsNullOrWhiteSpace(configuration["Email:Transport"]);
        if (storageConfigured && emailConfigured)
        {
            return stack;
        }

        try
        {
            stack.dataFolder = DataFolderLock.Acquire(paths.State);
            if (stack.dataFolder.PreviousHost is { } previous && !previous.IsRunning())
            {
                File.Delete(DurableFunctions.SocketPath(previous.ProcessId));
            }

            var leftovers = await stack.dataFolder.StopLeftoversAsync(LeftoverGrace);
            if (leftovers.Count > 0)
            {
                LogLeftoversStopped(logger, string.Join(", ", leftovers.Select(p => $"{p.Name} ({p.ProcessId})")), paths.State);
            }

            await LocalTools.EnsureNpmPackagesAsync(paths, logger);
            var portsFreeBy = DateTime.UtcNow + (leftovers.Count > 0 ? LeftoverPortsFreeWithin : TimeSpan.Zero);
            if (!storageConfigured)
            {
                var azurite = new AzuritePorts(options.AzuriteBlobPort, options.AzuriteQueuePort, options.AzuriteTablePort);
                var useYours = $"If it is an Azurite of yours, set {ConnectionNames.Storage}=UseDevelopmentStorage=true (local.settings.json or the environment) and the dev host uses it; otherwise stop that program, or move Azurite with";
                await EnsureFreeAsync(azurite.Blob, "Azurite's blob service", $"{useYours} DevHost:AzuriteBlobPort.", portsFreeBy);
                await EnsureFreeAsync(azurite.Queue, "Azurite's queue service", $"{useYours} DevHost:AzuriteQueuePort.", portsFreeBy);
                await EnsureFreeAsync(azurite.Table, "Azurite's table service", $"{useYours} DevHost:AzuriteTablePort.", portsFreeBy);
                foreach (var service in await LocalTools.StartAzuriteAsync(paths, paths.Azurite, azurite))
                {
                    stack.Add(service, logger);
                }

                stack.Azurite = azurite;
                configuration.AddInMemoryCollection(new Dictionary<string, string?> { [ConnectionNames.Storage] = azurite.ConnectionString });
            }

            if (!emailConfigured)
            {
                var mail = new MailDevPorts(options.MailDevSmtpPort, options.MailDevWebPort);
                var useYours = "Stop that program, or move MailDev with";
                await EnsureFreeAsync(mail.Smtp, "MailDev's SMTP server", $"{useYours} DevHost:MailDevSmtpPort, or send through a relay of yours with Email__Transport=Smtp and Email__Smtp__*.", portsFreeBy);
                await EnsureFreeAsync(mail.Web, "MailDev's inbox", $"{useYours} DevHost:MailDevWebPort.", portsFreeBy);
                stack.Add(await LocalTools.StartMailDevAsync(paths, paths.MailDev, mail), logger);
                stack.MailDev = mail;
                configuration.UseMailDev(mail);
            }

            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>The dev host is shutting down: from now on a tool that exits is expected to.</summary>
    public void Stopping() => stopping = true;

    /// <summary>
    /// Keeps <paramref name="service"/>, writes it down in the data folder, and says so loudly if it dies while the dev
    /// host runs: nothing works without it.
    /// </summary>
    void Add(NodeService service, ILogger logger)
    {
        services.Add(service);
        dataFolder?.Record(service);
        service.Stopped += s =>
        {
            if (!stopping)
            {
                logger.LogError("{Service} stopped (exit code {ExitCode}); restart the dev host. Its last output:\n{Output}", s.Name, s.ExitCode, s.Output);
            }
        };
    }

    /// <summary>Refuses the start if <paramref name="port"/> is still taken at <paramref name="freeBy"/> (at once, when that has passed).</summary>
    static async Task EnsureFreeAsync(int port, string tool, string advice, DateTime freeBy)
    {
        while (await NodeService.AcceptsAsync(port))
        {
            if (DateTime.UtcNow >= freeBy)
            {
                var listener = LocalProcesses.ListenerOf(port) is { } program ? $", {program}" : string.Empty;
                throw new DevHostStartException($"Port {port} is in use by another program{listener}; the dev host starts {tool} there. {advice}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // At once: each saves its own data, and a stop should not wait for them one after another.
        await Task.WhenAll(services.Select(service => service.DisposeAsync().AsTask()));

        services.Clear();
        dataFolder?.Dispose();
        dataFolder = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped {Tools}, left running in {DataFolder} by a dev host that ended without stopping them")]
    static partial void LogLeftoversStopped(ILogger logger, string tools, string dataFolder);
}

/// <summary>The dev host cannot start, for a reason the developer can act on; its message is all they need to see.</summary>
public sealed class DevHostStartException(string message) : Exception(message);
