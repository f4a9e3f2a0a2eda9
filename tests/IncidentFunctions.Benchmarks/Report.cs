using System.Globalization;

namespace IncidentFunctions.Benchmarks;

/// <summary>How every benchmark writes: figures to stdout as "name: value" lines, progress to stderr.</summary>
public static class Report
{
    public static void Line(string name, object value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value}"));

    public static void Progress(string message) => Console.Error.WriteLine($"[bench] {message}");

    /// <summary>The final line, and the exit code: 0 on PASS, 1 on FAIL with every reason.</summary>
    public static int Result(IReadOnlyCollection<string> failures)
    {
        Line("result", failures.Count == 0 ? "PASS" : $"FAIL ({string.Join("; ", failures)})");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The nearest-rank percentile of an ascending array; NaN when it is empty.</summary>
    public static double Percentile(double[] sorted, double percent) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>"p50 / p99 / max (n)" of an ascending array of milliseconds.</summary>
    public static string Summary(double[] sortedMs) =>
        $"{Milliseconds(Percentile(sortedMs, 50))} / {Milliseconds(Percentile(sortedMs, 99))} / {Milliseconds(sortedMs.LastOrDefault(double.NaN))} (n {sortedMs.Length})";

    public static string Rate(long count, TimeSpan duration) =>
        (count / Math.Max(duration.TotalSeconds, 1e-9)).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Milliseconds(double ms) => double.IsNaN(ms) ? "n/a" : ms.ToString("0.0", CultureInfo.InvariantCulture);

    public static string MiB(long? bytes) => bytes is { } b ? (b / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : "n/a";
}
