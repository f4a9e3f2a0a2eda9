using IncidentFunctions.Benchmarks;

// Load benchmarks against the dev host. See BenchOptions.Help, or run with --help.
BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
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
    return await IngestBenchmark.RunAsync(options, cancel.Token);
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
