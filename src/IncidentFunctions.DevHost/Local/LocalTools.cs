using System.Diagnostics;

namespace IncidentFunctions.DevHost.Local;

/// <summary>Ports of the local stand-ins for Azure Storage and an SMTP relay.</summary>
public sealed record AzuritePorts(int Blob, int Queue, int Table)
{
    public static AzuritePorts Free() => new(NodeService.FreePort(), NodeService.FreePort(), NodeService.FreePort());

    /// <summary>Azurite's well-known development account; not a secret (it is published with the emulator).</summary>
    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{Blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{Queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{Table}/devstoreaccount1;";
}

public sealed record MailDevPorts(int Smtp, int Web)
{
    /// <summary>
    /// The web inbox as a browser should open it: MailDev's root. Its page finds the REST API through the
    /// <c>&lt;base href&gt;</c> MailDev adds only to the page it serves there; opened as /index.html it asks for
    /// /index.html/api/... and shows "Failed to load emails".
    /// </summary>
    public Uri Inbox => new($"http://localhost:{Web}/");

    public static MailDevPorts Free() => new(NodeService.FreePort(), NodeService.FreePort());
}

/// <summary>Starts Azurite and MailDev from the repository's node_modules, installing them first if needed.</summary>
public static class LocalTools
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What each Azurite service prints once it has closed and saved its data: "Azurite Table service successfully closed".</summary>
    const string AzuriteClosedLine = "service successfully closed";

    /// <summary>
    /// Starts Azurite: its blob, queue and table services as three processes (Azurite's own per-service entry points),
    /// because each is a single Node event loop, and in one process the tables, by far the busiest service, wait behind
    /// every queue poll of the Durable task hub and every alert message. <paramref name="inMemory"/> keeps data in the
    /// processes only (tests and benchmarks, whose Azurite outlives every host they start); the dev host keeps it on
    /// disk, in the same files a single Azurite uses, so a restart of Azurite loses nothing.
    /// </summary>
    public static async Task<IReadOnlyList<NodeService>> StartAzuriteAsync(RepositoryPaths paths, string location, AzuritePorts ports, bool inMemory = false)
    {
        Directory.CreateDirectory(location);
        string[] common =
        [
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            .. inMemory ? new[] { "--inMemoryPersistence" } : ["--location", location],
        ];
        var starting = new[] { ("blob", ports.Blob), ("queue", ports.Queue), ("table", ports.Table) }.Select(service =>
        {
            var (name, port) = service;
            return NodeService.StartAsync(
                $"Azurite {name}",
                Path.Combine(paths.NodeModules, "azurite", "dist", "src", name, "main.js"),
                [.. common, $"--{name}Host", "127.0.0.1", $"--{name}Port", port.ToString()],
                [port],
                StartTimeout,
                closedLine: AzuriteClosedLine);
        }).ToList();
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            // Those that did start must not outlive the failure.
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
    }

    public static Task<NodeService> StartMailDevAsync(RepositoryPaths paths, string mailDirectory, MailDevPorts ports)
    {
        Directory.CreateDirectory(mailDirectory);
        return NodeService.StartAsync(
            "MailDev",
            Path.Combine(paths.NodeModules, "maildev", "dist", "bin", "maildev.js"),
            [
                "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--smtp", ports.Smtp.ToString(), "--web", ports.Web.ToString(),
                "--mail-directory", mailDirectory,
            ],
            [ports.Smtp, ports.Web],
            StartTimeout);
    }

    /// <summary>Runs `npm ci` when the npm tools are missing, so a fresh clone needs no separate set-up step.</summary>
    public static async Task EnsureNpmPackagesAsync(RepositoryPaths paths, ILogger logger)
    {
        bool Installed() =>
            File.Exists(Path.Combine(paths.NodeModules, "azurite", "package.json")) &&
            File.Exists(Path.Combine(paths.NodeModules, "maildev", "package.json"));
        if (Installed())
        {
            return;
        }

        // Test fixtures and hosts may start together on a fresh clone: one of them installs, the others wait.
        Directory.CreateDirectory(Path.GetDirectoryName(paths.NpmLock)!);
        await using var installLock = await AcquireAsync(paths.NpmLock);
        if (Installed())
        {
            return;
        }

        logger.LogInformation("Installing Azurite and MailDev with npm ci (first run only)");
        var start = new ProcessStartInfo("npm") { WorkingDirectory = paths.Root, UseShellExecute = false };
        foreach (var argument in new[] { "ci", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(argument);
        }

        using var npm = Process.Start(start) ?? throw new InvalidOperationException("Could not run npm; install Node.js.");
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed with exit code {npm.ExitCode}.");
        }
    }

    static async Task<FileStream> AcquireAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }
}
