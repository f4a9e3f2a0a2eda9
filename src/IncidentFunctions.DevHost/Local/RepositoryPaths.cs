using IncidentFunctions.DevHost.Functions;

namespace IncidentFunctions.DevHost.Local;

/// <summary>Where the dev host finds host.json, local.settings.json and node_modules, and keeps its local state.</summary>
public sealed record RepositoryPaths(string Root)
{
    public string HostJson => Path.Combine(Root, "host.json");

    public string LocalSettings => Path.Combine(Root, "local.settings.json");

    public string NodeModules => Path.Combine(Root, "node_modules");

    /// <summary>Git-ignored: Azurite's data, MailDev's mail, the generated demo key (see <see cref="WithState"/>).</summary>
    public string State { get; init; } = Path.Combine(Root, ".devhost");

    public string Azurite => Path.Combine(State, "azurite");

    public string MailDev => Path.Combine(State, "maildev");

    public string DemoKey => Path.Combine(State, "demo-key");

    public string LinkSigningKey => Path.Combine(State, "link-signing-key");

    /// <summary>Held while `npm ci` runs: node_modules belongs to the repository, whatever the state folder.</summary>
    public string NpmLock => Path.Combine(Root, ".devhost", "npm.lock");

    /// <summary>The same repository with its local state in <paramref name="folder"/> (relative to the root), if given.</summary>
    public RepositoryPaths WithState(string? folder) =>
        string.IsNullOrWhiteSpace(folder) ? this : this with { State = Path.GetFullPath(folder, Root) };

    /// <summary>A path as the banner shows it: relative to the repository root when it is inside it.</summary>
    public string Shown(string path)
    {
        var relative = Path.GetRelativePath(Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>The repository root: the nearest folder above the working directory or the binary holding the solution.</summary>
    public static RepositoryPaths Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "IncidentFunctions.sln")))
                {
                    return new RepositoryPaths(dir.FullName);
                }
            }
        }

        throw new InvalidOperationException("Run the dev host from inside the IncidentFunctions repository (no IncidentFunctions.sln found above it).");
    }
}
