using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// How the dev host recognises its own leftovers: a process is named by its id and start time, so one that got a dead
/// tool's id is never stopped; a data folder has one dev host; a taken port names the program that holds it.
/// </summary>
public sealed class LocalProcessesTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("incidentfunctions-processes-").FullName;
    readonly Process sleeper = Process.Start("node", ["-e", "setInterval(() => {}, 1000)"]);

    [Fact]
    public async Task AProcessThatGotARecordedIdLaterIsNotStopped()
    {
        var current = ProcessIdentity.Of("sleeper", sleeper.Id)!;
        var recordedEarlier = current with { Started = "1" }; // the same id, given to a process that started long before

        var stopped = await LocalProcesses.StopAsync([recordedEarlier], TimeSpan.FromSeconds(1));

        Assert.Empty(stopped);
        Assert.False(sleeper.HasExited);
    }

    [Fact]
    public async Task ARecordedProcessStillRunningIsStopped()
    {
        var recorded = ProcessIdentity.Of("sleeper", sleeper.Id)!;

        var stopped = await LocalProcesses.StopAsync([recorded], TimeSpan.FromSeconds(10));

        Assert.Equal([recorded], stopped);
        Assert.True(sleeper.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.False(recorded.IsRunning());
    }

    [Fact]
    public void ASecondHoldOnADataFolderIsRefusedAndNamesTheHolder()
    {
        using var first = DataFolderLock.Acquire(folder);

        var refused = Assert.Throws<DevHostStartException>(() => DataFolderLock.Acquire(folder));

        Assert.StartsWith($"Another dev host (process {Environment.ProcessId}) uses the data folder {folder}.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReleasedDataFolderCanBeTakenAgain()
    {
        DataFolderLock.Acquire(folder).Dispose();

        using var again = DataFolderLock.Acquire(folder);
    }

    [Fact]
    public void TheProgramListeningOnAPortIsNamed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        var program = LocalProcesses.ListenerOf(((IPEndPoint)listener.LocalEndpoint).Port);

        Assert.EndsWith($"(process {Environment.ProcessId})", program, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (!sleeper.HasExited)
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }

        sleeper.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
