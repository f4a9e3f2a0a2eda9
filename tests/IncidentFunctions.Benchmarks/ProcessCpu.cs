using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// The CPU time of a run's processes (Azurite's three, MailDev, the dev host), read from /proc/{pid}/stat (user plus
/// system time of all its threads) at every whole minute of the run and shown per minute as a share of one core. On
/// two cores shared by all of them, this says which process saturated first, and whether the machine rather than the
/// app was the limit when lateness grew.
/// </summary>
public sealed class ProcessCpu(IReadOnlyList<(string Name, int ProcessId)> processes)
{
    const int ClockTicksName = 2; // _SC_CLK_TCK on Linux

    static readonly Lazy<long> TicksPerSecond = new(() => OperatingSystem.IsLinux() ? SysConf(ClockTicksName) : 0);

    readonly List<(TimeSpan At, TimeSpan?[] Used)> samples = [];

    /// <summary>Samples now, at every whole minute of <paramref name="clock"/> until cancelled, and once more then.</summary>
    public async Task RecordAsync(Stopwatch clock, CancellationToken ct)
    {
        Sample(clock.Elapsed);
        try
        {
            // Counted rather than read off the clock: a timer that fires a hair early must not make a minute of zero length.
            for (var minute = 1; ; minute++)
            {
                var next = TimeSpan.FromMinutes(minute) - clock.Elapsed;
                await Task.Delay(next > TimeSpan.Zero ? next : TimeSpan.Zero, ct);
                Sample(clock.Elapsed);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Sample(clock.Elapsed);
        }
    }

    /// <summary>Per process: % of one core in each minute (the last one partial), and over the whole run.</summary>
    public void Print()
    {
        if (samples.Count < 2)
        {
            return;
        }

        for (var p = 0; p < processes.Count; p++)
        {
            var perMinute = samples.Zip(samples.Skip(1), (from, to) => Share(from.Used[p], to.Used[p], to.At - from.At));
            Report.Line($"cpu {processes[p].Name}, % of one core by minute", string.Join(", ", perMinute));
            Report.Line($"cpu {processes[p].Name}, % of one core over the run", Share(samples[0].Used[p], samples[^1].Used[p], samples[^1].At - samples[0].At));
        }
    }

    /// <summary>
    /// Each process's CPU time over the run divided by the incidents it carried; then the total of the app and its
    /// storage (every process but <paramref name="rig"/>: the inbox and the load it serves to the benchmark), and what
    /// that total allows on this machine's cores: if every incident cost what these did, the cores would be full at that
    /// rate with nothing else running. An upper bound: it assumes the work shares the cores perfectly, and Azurite's cost
    /// per request grows with its data.
    /// </summary>
    public void PrintPerIncident(int incidents, IReadOnlySet<string> rig)
    {
        if (samples.Count < 2 || incidents == 0)
        {
            return;
        }

        var (app, all) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var p = 0; p < processes.Count; p++)
        {
            if (samples[0].Used[p] is not { } from || samples[^1].Used[p] is not { } to)
            {
                return;
            }

            all += to - from;
            app += rig.Contains(processes[p].Name) ? TimeSpan.Zero : to - from;
            Report.Line($"cpu {processes[p].Name}, ms per incident lifecycle", Milliseconds((to - from) / incidents));
        }

        Report.Line("cpu of the app and its storage (all but the test rig), ms per incident lifecycle", Milliseconds(app / incidents));
        Report.Line("cpu of every process above, ms per incident lifecycle", Milliseconds(all / incidents));
        Report.Line(
            $"incidents/s at which the app and its storage alone would fill this machine's {Environment.ProcessorCount} cores",
            (Environment.ProcessorCount / (app / incidents).TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture));
    }

    static string Milliseconds(TimeSpan span) => span.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    void Sample(TimeSpan at)
    {
        lock (samples)
        {
            samples.Add((at, processes.Select(p => CpuTimeOf(p.ProcessId)).ToArray()));
        }
    }

    static string Share(TimeSpan? from, TimeSpan? to, TimeSpan wall) =>
        from is { } a && to is { } b && wall > TimeSpan.Zero ? (100 * (b - a) / wall).ToString("0", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>utime + stime (fields 14 and 15) of /proc/{pid}/stat; null once the process is gone, or off Linux.</summary>
    static TimeSpan? CpuTimeOf(int processId)
    {
        if (TicksPerSecond.Value <= 0)
        {
            return null;
        }

        try
        {
            // "pid (comm) state ...": the command may hold spaces and parentheses, so fields are counted after the last ')'.
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / (double)TicksPerSecond.Value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    static extern long SysConf(int name);
}
