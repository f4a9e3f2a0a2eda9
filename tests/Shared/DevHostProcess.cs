using System.Diagnostics;
using System.Text;
using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.TestTools;

/// <summary>
/// A dev host started as a child process, as a developer would run it: the end-to-end tests and the benchmark use it
/// so that they exercise the real host, its real start-up and its real queue and Durable Task wiring.
/// </summary>
public sealed class DevHostProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();
    readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    DevHostProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/{IncidentFunctions.Routes.Prefix}/");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int ProcessId => process.Id;

    /// <summary>The exit code once the host has exited, else null.</summary>
    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>The gRPC socket of the dev host's task hub server; tests talk Durable Task to it directly.</summary>
    public string GrpcSocket => DurableFunctions.SocketPath(process.Id);

    /// <summary>Everything the host wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public long PeakWorkingSetBytes
    {
        get
        {
            process.Refresh();
            return process.PeakWorkingSet64;
        }
    }

    /// <summary>
    /// Starts the dev host with <paramref name="settings"/> as environment variables (use "__" for nested keys) and waits
    /// until it says it is ready. <paramref name="assembly"/> is the dev host to run: by default the built one beside
    /// this code, else a published one (the benchmarks publish it ReadyToRun).
    /// </summary>
    public static async Task<DevHostProcess> StartAsync(int port, IReadOnlyDictionary<string, string> settings, TimeSpan timeout, string? assembly = null)
    {
        assembly ??= typeof(DevHostOptions).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Find().Root,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["DevHost__Port"] = port.ToString();
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the dev host.");
        var host = new DevHostProcess(process, port);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            try
            {
                // Exited can come before the last lines are read; this returns once standard output and error are drained.
                process.WaitForExit();
                host.ready.TrySetException(new DevHostExitedException(process.ExitCode, host.Output));
            }
            catch (InvalidOperationException)
            {
                // Disposed meanwhile: nobody waits for it to get ready any more.
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await host.ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            var log = host.Output;
            await host.DisposeAsync();
            throw new TimeoutException($"The dev host did not get ready within {timeout}:\n{log}");
        }

        return host;
    }

    void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (line.Contains(Banner.ReadyLine, StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }

    /// <summary>Asks the host to stop (SIGTERM, a graceful shutdown like Ctrl+C) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString()]))
        {
            await signal.WaitForExitAsync();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Kills the host alone (SIGKILL), as a crash or `kill -9` would, and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        process.Dispose();
    }
}

/// <summary>The dev host exited before it was ready: its exit code and all it wrote.</summary>
public sealed class DevHostExitedException(int exitCode, string output)
    : Exception($"The dev host exited with code {exitCode}:\n{output}")
{
    public int ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}
