using System.Diagnostics;
using System.Runtime.InteropServices;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// The dev host the benchmarks run: published ReadyToRun with tiered compilation off, so it runs precompiled code from
/// its first request, as the Functions host runs in Azure. Built by `dotnet run`, the dev host JIT-compiles DurableTask,
/// gRPC, the Azure SDKs and the app while it works: about 10,000 methods and 7 to 8 s of CPU in the first 20 s of an
/// ingest run, on the same two cores as Azurite, which made the figures measure the compiler as much as the pipeline.
/// `--jit` runs the built dev host instead, to compare.
/// </summary>
public static class PublishedDevHost
{
    /// <summary>Publishes the dev host (incrementally: seconds once done) and returns its assembly; null with <paramref name="jit"/>.</summary>
    public static async Task<string?> PrepareAsync(bool jit, CancellationToken ct)
    {
        if (jit)
        {
            Report.Progress("running the dev host as built (JIT), not published ReadyToRun");
            return null;
        }

        var paths = RepositoryPaths.Find();
        var output = Path.Combine(paths.State, "bench-devhost");
        Report.Progress($"publishing the dev host ReadyToRun into {output} (a minute the first time, seconds after)");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = paths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "publish", Path.Combine("src", "IncidentFunctions.DevHost", "IncidentFunctions.DevHost.csproj"),
            "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-o", output, "--nologo",
            // The project is not published for deployment (it never ships); the benchmarks publish it for themselves.
            "-p:IsPublishable=true", "-p:PublishReadyToRun=true", "-p:TieredCompilation=false",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start) ?? throw new InvalidOperationException("Could not run dotnet publish.");
        var stdout = publish.StandardOutput.ReadToEndAsync(ct);
        var stderr = publish.StandardError.ReadToEndAsync(ct);
        await publish.WaitForExitAsync(ct);
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"Publishing the dev host failed (exit code {publish.ExitCode}); run with --jit to use the built one.\n{await stdout}{await stderr}");
        }

        return Path.Combine(output, "IncidentFunctions.DevHost.dll");
    }
}
