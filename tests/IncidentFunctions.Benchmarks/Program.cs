using IncidentFunctions.Benchmarks;

// Load benchmarks against the dev host: `ingest` (see BenchOptions.Help) and `lifecycle` (LifecycleBenchmark.Help).
var lifecycle = args.Length > 0 && args[0] == "lifecycle";
if (lifecycle && args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine(LifecycleBenchmark.Help);
    return 0;
}

BenchOptions? options = null;
try
{
    options = lifecycle ? new BenchOptions() : BenchOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Run with --help for usage.");
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchOptions.Help);
    return 0;
}

// The first Ctrl+C cancels the run and cleans up (dev host, Azurite, temp folder); a second one ends the process.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("[bench] cancelling: stopping the dev host and Azurite (Ctrl+C again to abort)");
        cancel.Cancel();
    }
};

try
{
    return lifecycle ? await LifecycleBenchmark.RunAsync(args, cancel.Token) : await IngestBenchmark.RunAsync(options, cancel.Token);
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.WriteLine("result: FAIL (cancelled)");
    return 1;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    Console.WriteLine($"result: FAIL ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()})");
    return 1;
}
