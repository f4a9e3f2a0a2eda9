using IncidentFunctions.DevHost.Functions;

namespace IncidentFunctions.DevHost.Local;

/// <summary>
/// The local stand-ins the dev host starts for what is not configured: Azurite for Storage and the Durable task hub
/// when no storage connection is set, MailDev as the SMTP inbox when no Email transport is set. Data stays in the
/// git-ignored .devhost folder across restarts. What is configured (Azure Storage, an Azurite or relay you run) is used.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    readonly List<NodeService> services = [];
    volatile bool stopping;

    /// <summary>The Azurite the dev host started, or null when storage is configured.</summary>
    public AzuritePorts? Azurite { get; private set; }

    public MailDevPorts? MailDev { get; private set; }

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
            await LocalTools.EnsureNpmPackagesAsync(paths, logger);
            if (!storageConfigured)
            {
                var azurite = new AzuritePorts(options.AzuriteBlobPort, options.AzuriteQueuePort, options.AzuriteTablePort);
                await EnsureFreeAsync(azurite.Blob, azurite.Queue, azurite.Table);
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
                await EnsureFreeAsync(mail.Smtp, mail.Web);
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

    /// <summary>Keeps <paramref name="service"/> and says so loudly if it dies while the dev host runs: nothing works without it.</summary>
    void Add(NodeService service, ILogger logger)
    {
        services.Add(service);
        service.Stopped += s =>
        {
            if (!stopping)
            {
                logger.LogError("{Service} stopped (exit code {ExitCode}); restart the dev host. Its last output:\n{Output}", s.Name, s.ExitCode, s.Output);
            }
        };
    }

    static async Task EnsureFreeAsync(params int[] ports)
    {
        foreach (var port in ports)
        {
            if (await NodeService.AcceptsAsync(port))
            {
                throw new InvalidOperationException(
                    $"Port {port} is already in use. If an Azurite of yours runs there, set {ConnectionNames.Storage}=UseDevelopmentStorage=true " +
                    "in local.settings.json (or the environment) and the dev host will use it instead of starting its own.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(services))
        {
            await service.DisposeAsync();
        }

        services.Clear();
    }
}
