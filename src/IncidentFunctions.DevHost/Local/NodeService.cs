using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IncidentFunctions.DevHost.Local;

/// <summary>
/// A Node.js tool from the repository's node_modules (Azurite, MailDev) run as a child process on loopback, ready once
/// its ports accept connections, and stopped cleanly on dispose (killed with its process tree if it does not stop). The
/// tests use it too.
/// </summary>
public sealed class NodeService : IAsyncDisposable
{
    /// <summary>Lines of output kept: the last ones, which say why a process that stopped stopped.</summary>
    const int OutputLines = 200;

    /// <summary>
    /// On Linux a tool runs in a session of its own (setsid, which then becomes node itself): Ctrl+C in the terminal
    /// reaches only the dev host, which stops the app while storage is still there, then stops the tools. Without it,
    /// Azurite would shut down at the same moment as the app that is still writing to it.
    /// </summary>
    static readonly string? Setsid = OperatingSystem.IsLinux()
        ? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "setsid"))
            .FirstOrDefault(File.Exists)
        : null;

    /// <summary>
    /// Preloaded into every tool: it stops the tool when its standard input, a pipe from this process, closes. The
    /// operating system closes it when this process ends, even by kill -9 or a crash, so no tool outlives its dev host.
    /// </summary>
    static readonly string StopWithHost = Path.Combine(Path.GetDirectoryName(typeof(NodeService).Assembly.Location)!, "Local", "stop-with-host.cjs");

    readonly Process process;
    readonly Queue<string> output = new();
    readonly string? closedLine;
    readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile bool disposing;

    NodeService(string name, Process process, string? closedLine)
    {
        Name = name;
        this.process = process;
        this.closedLine = closedLine;
    }

    public string Name { get; }

    /// <summary>
    /// Raised when the process exits on its own (a crash; not a dispose). <see cref="Output"/> then ends with what it
    /// last printed.
    /// </summary>
    public event Action<NodeService>? Stopped;

    public int ProcessId { get; private set; }

    /// <summary>Set when the process exits on its own, before <see cref="Stopped"/> is raised.</summary>
    public int? ExitCode { get; private set; }

    /// <param name="closedLine">
    /// Part of the line the tool prints once it has shut down and saved its data, if it prints one: a tool that says so
    /// but has not exited (Azurite waits for its clients' idle connections, which the dev host holds until it exits) is
    /// killed then, instead of after <see cref="StopGrace"/>.
    /// </param>
    public static async Task<NodeService> StartAsync(
        string name, string script, IEnumerable<string> arguments, IReadOnlyList<int> ports, TimeSpan timeout, string? closedLine = null)
    {
        if (!File.Exists(StopWithHost))
        {
            throw new FileNotFoundException($"{StopWithHost} is missing from the build output.", StopWithHost);
        }

        var start = new ProcessStartInfo(Setsid ?? "node")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Setsid is not null)
        {
            start.ArgumentList.Add("node");
        }

        start.ArgumentList.Add("--require");
        start.ArgumentList.Add(StopWithHost);
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new NodeService(name, process, closedLine);
        process.OutputDataReceived += (_, e) => service.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => service.Remember(e.Data);
        process.Exited += (_, _) => service.OnExited();
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {name} (is Node.js on PATH?).");
        }

        service.ProcessId = process.Id;

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + timeout;
        foreach (var port in ports)
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    var log = service.Output;
                    await service.DisposeAsync();
                    throw new DevHostStartException($"{name} did not start listening on port {port}. Its output:\n{log}");
                }

                await Task.Delay(100);
            }
        }

        return service;
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    void OnExited()
    {
        if (disposing)
        {
            return;
        }

        try
        {
            // Exited can come before the last lines are read; this returns once standard output and error are drained.
            process.WaitForExit();
            ExitCode = process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return; // Disposed meanwhile: stopped on purpose.
        }

        Stopped?.Invoke(this);
    }

    void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (closedLine is not null && line.Contains(closedLine, StringComparison.Ordinal))
        {
            closed.TrySetResult();
        }

        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > OutputLines)
            {
                output.Dequeue();
            }
        }
    }

    public static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A port the OS reports free right now on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Stops the tool as Ctrl+C would, so that it saves what it holds in memory: Azurite writes its table, queue and blob
    /// metadata to disk every 5 s and on a clean shutdown only, and a kill lost the last seconds of writes (the rows of
    /// an incident opened just before a stop; the task hub's released partition leases, so that the next start waited
    /// up to 30 s for them to expire before any orchestration ran). Closing standard input has the preloaded
    /// stop-with-host.cjs send the tool SIGINT; a tool still running once it has said it closed, or after
    /// <see cref="StopGrace"/>, is killed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        disposing = true;
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                if (!await ExitedWithinAsync(StopGrace))
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    /// <summary>How long a tool is given to shut down cleanly; Azurite saving a few megabytes takes well under a second.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>True if the tool exited within <paramref name="grace"/>; false if it did not, or said it closed and lingers.</summary>
    async Task<bool> ExitedWithinAsync(TimeSpan grace)
    {
        var exited = process.WaitForExitAsync();
        try
        {
            await Task.WhenAny(exited, closed.Task).WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            return false;
        }

        return exited.IsCompleted;
    }
}
