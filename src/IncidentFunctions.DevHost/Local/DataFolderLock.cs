using System.Text.Json;

namespace IncidentFunctions.DevHost.Local;

/// <summary>
/// A dev host's hold on its data folder while it runs Azurite or MailDev there. One dev host per folder: the hold is a
/// file lock, which the operating system releases when the process ends, however it ends. The tools the host starts are
/// written down in the folder (id and start time), so that the next start stops any that a killed or crashed host left
/// running (they normally stop with it: see NodeService) before it needs their ports and files.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    readonly FileStream held;
    readonly string recordPath;
    readonly ProcessIdentity host;
    readonly List<ProcessIdentity> tools = [];
    List<ProcessIdentity> leftovers;

    DataFolderLock(FileStream held, string recordPath, ProcessIdentity host, ProcessIdentity? previousHost, List<ProcessIdentity> leftovers)
    {
        this.held = held;
        this.recordPath = recordPath;
        this.host = host;
        PreviousHost = previousHost;
        this.leftovers = leftovers;
    }

    /// <summary>The dev host that used the folder before and ended without stopping its tools, if one did.</summary>
    public ProcessIdentity? PreviousHost { get; }

    /// <summary>Takes the folder, or says which dev host has it.</summary>
    /// <exception cref="DevHostStartException">Another running dev host uses the folder.</exception>
    public static DataFolderLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        var recordPath = Path.Combine(folder, "processes.json");
        FileStream held;
        try
        {
            held = new FileStream(Path.Combine(folder, "devhost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var owner = Read(recordPath)?.Host is { } running ? $" (process {running.ProcessId})" : string.Empty;
            throw new DevHostStartException(
                $"Another dev host{owner} uses the data folder {folder}. Stop it first, or give this one a DevHost:DataFolder and ports of its own.");
        }

        var self = ProcessIdentity.Of("dev host", Environment.ProcessId) ?? throw new InvalidOperationException("This process has no start time.");
        var previous = Read(recordPath);
        var claim = new DataFolderLock(held, recordPath, self, previous?.Host, [.. previous?.Tools ?? []]);
        // Written at once: it names this host to a second one, and keeps the leftovers known until they are stopped.
        claim.Write();
        return claim;
    }

    /// <summary>Stops the tools a previous host of this folder left running, and returns those that were.</summary>
    public async Task<IReadOnlyList<ProcessIdentity>> StopLeftoversAsync(TimeSpan grace)
    {
        var stopped = await LocalProcesses.StopAsync(leftovers, grace);
        leftovers = [];
        Write();
        return stopped;
    }

    /// <summary>Writes down a tool this host started, so that it is stopped next time if this host ends without stopping it.</summary>
    public void Record(NodeService tool)
    {
        if (ProcessIdentity.Of(tool.Name, tool.ProcessId) is { } identity)
        {
            tools.Add(identity);
            Write();
        }
    }

    void Write()
    {
        // Replaced whole, so that a host killed while writing leaves the previous version rather than half a file.
        var temporary = recordPath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new ProcessRecord(host, [.. leftovers, .. tools])));
        File.Move(temporary, recordPath, overwrite: true);
    }

    static ProcessRecord? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ProcessRecord>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null; // None yet, or not readable: nothing is known to be left.
        }
    }

    /// <summary>Called once the tools are stopped: nothing is left for the next start to stop.</summary>
    public void Dispose()
    {
        File.Delete(recordPath);
        held.Dispose();
    }

    sealed record ProcessRecord(ProcessIdentity? Host, IReadOnlyList<ProcessIdentity>? Tools);
}
