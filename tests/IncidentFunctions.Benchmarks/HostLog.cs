using System.Diagnostics;
using System.Globalization;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.TestTools;

namespace IncidentFunctions.Benchmarks;

/// <summary>What the dev host logged during the run and while stopping, and how long stopping took.</summary>
public sealed record HostLog(string RunOutput, string StopOutput, TimeSpan StopDuration)
{
    /// <summary>Stops the host (gracefully), keeping apart what it said before and while stopping.</summary>
    public static async Task<HostLog> StopAsync(DevHostProcess host)
    {
        var runOutput = host.Output;
        var stopping = Stopwatch.StartNew();
        await host.StopAsync();
        Report.Progress($"dev host stopped after {Report.Seconds(stopping.Elapsed)} s");
        return new HostLog(runOutput, host.Output[runOutput.Length..], stopping.Elapsed);
    }

    /// <summary>
    /// The host's figures: the app's storage requests (per <paramref name="alerts"/>), then its health (see
    /// <see cref="PrintHealth"/>). Null <paramref name="log"/>: a host this run did not start.
    /// </summary>
    public static void Print(HostLog? log, long? peakWorkingSet, long alerts)
    {
        if (StorageRequests.Parse(log?.StopOutput) is { } storage)
        {
            // The app's own: includes the reads of the benchmark's own completion polls, not the Durable task hub's requests.
            Report.Line("storage requests by the app", string.Join(", ", storage.App.Select(s => $"{s.Key}={s.Value}")));
            Report.Line("storage requests per accepted alert", (storage.App.Values.Sum() / (double)Math.Max(1, alerts)).ToString("0.00", CultureInfo.InvariantCulture));
            Report.Line("storage requests by the Durable provider (all, idle polling included)", storage.Durable.Values.Sum());
        }

        PrintHealth(log, peakWorkingSet);
    }

    /// <summary>
    /// Peak memory, warnings and errors (with the most frequent messages on stderr), and how stopping went. Null
    /// <paramref name="log"/>: a host this run did not start.
    /// </summary>
    public static void PrintHealth(HostLog? log, long? peakWorkingSet)
    {
        var (warnings, errors) = Problems(log?.RunOutput);
        var (_, stopErrors) = Problems(log?.StopOutput);
        PrintSample("dev host errors", errors);
        PrintSample("dev host warnings", warnings);
        PrintSample("dev host errors while stopping", stopErrors);

        Report.Line("dev host peak working set (MiB)", Report.MiB(peakWorkingSet));
        Report.Line("dev host warnings", log is null ? "n/a" : warnings.Count);
        Report.Line("dev host errors", log is null ? "n/a" : errors.Count);
        Report.Line("dev host stop duration (s)", log is null ? "n/a" : Report.Seconds(log.StopDuration));
        Report.Line("dev host errors while stopping", log is null ? "n/a" : stopErrors.Count);
    }

    /// <summary>Peak resident set size (VmHWM) from /proc, or the runtime's figure where /proc is unavailable.</summary>
    public static long? PeakWorkingSetBytes(int pid)
    {
        if (ProcStatusBytes(pid, "VmHWM:") is { } peak)
        {
            return peak;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.PeakWorkingSet64;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Resident set size now (VmRSS), where /proc tells it.</summary>
    public static long? WorkingSetBytes(int pid) => ProcStatusBytes(pid, "VmRSS:");

    /// <summary>A "kB" field of /proc/{pid}/status in bytes; null when not Linux or not ours to read.</summary>
    static long? ProcStatusBytes(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Warning and error lines of a dev host log.</summary>
    static (List<string> Warnings, List<string> Errors) Problems(string? output)
    {
        var lines = output?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return (lines.Where(l => LevelOf(l) == "warn").ToList(), lines.Where(l => LevelOf(l) is "fail" or "crit").ToList());
    }

    /// <summary>The level of a dev host log line in the simple console format: "12:00:00 warn: Category[0] ...".</summary>
    static string? LevelOf(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 4)
        {
            return null;
        }

        var level = line[(colon - 4)..colon];
        return level is "warn" or "fail" or "crit" && (colon == 4 || line[colon - 5] == ' ') ? level : null;
    }

    /// <summary>Shows the most frequent distinct host log messages (timestamps dropped) on stderr.</summary>
    static void PrintSample(string title, List<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        Console.Error.WriteLine($"[bench] {title} ({lines.Count}), most frequent first:");
        var messages = lines.Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) - 4)..]).Select(l => l.Length > 400 ? l[..400] + "..." : l);
        foreach (var group in messages.GroupBy(l => l).OrderByDescending(g => g.Count()).Take(10))
        {
            Console.Error.WriteLine($"  {group.Count()}x {group.Key}");
        }
    }
}
