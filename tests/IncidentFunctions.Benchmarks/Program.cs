using IncidentFunctions.Benchmarks;

// Load benchmarks against the dev host: `ingest` (see BenchOptions.Help), `lifecycle` (LifecycleBenchmark.Help),
// `capacity` (CapacityBenchmark.Help), `storm` (StormOptions.Help), `api` (ApiBenchmark.Help) and `console` (ConsoleBenchmark.Help).
Func<CancellationToken, Task<int>> run;
try
{
    var help = args.Any(a => a is "-h" or "--help");
    switch (args.FirstOrDefault())
    {
        case "lifecycle" when help:
            Console.WriteLine(LifecycleBenchmark.Help);
            return 0;
        case "lifecycle":
            run = ct => LifecycleBenchmark.RunAsync(args, ct);
            break;
        case "capacity" when help:
            Console.WriteLine(CapacityBenchmark.Help);
            return 0;
        case "capacity":
            run = ct => CapacityBenchmark.RunAsync(args, ct);
            break;
        case "api" when help:
            Console.WriteLine(ApiBenchmark.Help);
            return 0;
        case "api":
            run = ct => ApiBenchmark.RunAsync(args, ct);
            break;
        case "console" when help:
            Console.WriteLine(ConsoleBenchmark.Help);
            return 0;
        case "console":
            run = ct => ConsoleBenchmark.RunAsync(args, ct);
            break;
        case "storm" when help:
            Console.WriteLine(StormOptions.Help);
            return 0;
        case "storm":
            var storm = StormOptions.Parse(args);
            run = ct => StormBenchmark.RunAsync(storm, ct);
            break;
        default:
            if (BenchOptions.Parse(args) is not { } ingest)
            {
                Console.WriteLine(BenchOptions.Help);
                return 0;
            }

            run = ct => IngestBenchmark.RunAsync(ingest, ct);
            break;
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Run with --help for usage.");
    return 2;
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
    return await run(cancel.Token);
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
