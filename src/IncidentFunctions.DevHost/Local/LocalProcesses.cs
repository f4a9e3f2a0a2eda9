using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IncidentFunctions.DevHost.Local;

/// <summary>
/// A process as the dev host remembers it: its id and when it started. An id alone is not enough, because the system
/// gives a dead process's id to a new one; with the start time a leftover is told apart from another program.
/// </summary>
public sealed record ProcessIdentity(string Name, int ProcessId, string Started)
{
    /// <summary>The identity of a running process, or null if it is gone.</summary>
    public static ProcessIdentity? Of(string name, int processId) =>
        LocalProcesses.StartTimeOf(processId) is { } started ? new(name, processId, started) : null;

    /// <summary>Whether this very process still runs (not another that got its id since).</summary>
    public bool IsRunning() => LocalProcesses.StartTimeOf(ProcessId) == Started;
}

/// <summary>Processes on this machine as the dev host needs to see them: their start times, stopping them, and who listens on a port.</summary>
public static class LocalProcesses
{
    const int SigTerm = 15;
    const int SigContLinux = 18;

    /// <summary>
    /// When the process started, exactly as the system records it, or null if it is gone (or exited and only waits to be
    /// reaped). On Linux the clock ticks since boot from /proc: Process.StartTime is derived from it and the boot time,
    /// and can come out a little different from one reading to the next.
    /// </summary>
    public static string? StartTimeOf(int processId)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // "pid (comm) state ppid ... starttime ...": the command may hold spaces and parentheses, so the fields are
                // counted after the last ')'; the state is field 3 and the start time field 22.
                var stat = File.ReadAllText($"/proc/{processId}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[0] is "Z" or "X" ? null : fields[19];
            }
            catch (IOException)
            {
                return null;
            }
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited ? null : process.StartTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Stops the processes that are still the ones named (SIGTERM, so that Azurite and MailDev close their files; killed
    /// if they have not ended within <paramref name="grace"/>) and returns those that were running.
    /// </summary>
    public static async Task<IReadOnlyList<ProcessIdentity>> StopAsync(IEnumerable<ProcessIdentity> processes, TimeSpan grace)
    {
        var running = processes.Where(p => p.IsRunning()).ToList();
        foreach (var process in running)
        {
            Terminate(process);
        }

        var deadline = DateTime.UtcNow + grace;
        while (running.Any(p => p.IsRunning()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        foreach (var process in running.Where(p => p.IsRunning()))
        {
            try
            {
                using var handle = Process.GetProcessById(process.ProcessId);
                handle.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception)
            {
                // Ended meanwhile.
            }
        }

        return running;
    }

    static void Terminate(ProcessIdentity process)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // No SIGTERM there: what has not ended by the deadline is killed.
        }

        _ = Kill(process.ProcessId, SigTerm);
        if (OperatingSystem.IsLinux())
        {
            // A suspended process (SIGSTOP, Ctrl+Z) would only see SIGTERM once continued, as `kill` and systemd do too.
            _ = Kill(process.ProcessId, SigContLinux);
        }
    }

    // DllImport rather than LibraryImport, which would need unsafe code enabled for the whole project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int processId, int signal);

    /// <summary>
    /// The program listening on a loopback TCP port, as "name (process id)", on Linux; null elsewhere or if it cannot be
    /// told (another user's process, say). Names what to stop when a port the dev host needs is taken.
    /// </summary>
    public static string? ListenerOf(int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            // Each line: "sl local_address rem_address st ... inode ...", addresses as HEX_IP:HEX_PORT, 0A = LISTEN.
            var sockets = new[] { "/proc/net/tcp", "/proc/net/tcp6" }
                .Where(File.Exists)
                .SelectMany(File.ReadLines)
                .Skip(1)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length > 9 && f[3] == "0A" && int.Parse(f[1][(f[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                .Select(f => $"socket:[{f[9]}]")
                .ToHashSet(StringComparer.Ordinal);
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out var processId))
                {
                    continue;
                }

                try
                {
                    if (Directory.EnumerateFileSystemEntries(Path.Combine(folder, "fd")).Any(fd => new FileInfo(fd).LinkTarget is { } target && sockets.Contains(target)))
                    {
                        return $"{File.ReadAllText(Path.Combine(folder, "comm")).Trim()} (process {processId})";
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Gone meanwhile, or not ours to look into.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Only a better message was at stake.
        }

        return null;
    }
}
