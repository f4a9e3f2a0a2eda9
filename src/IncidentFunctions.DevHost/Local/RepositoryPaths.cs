using IncidentFunctions.DevHost.Functions;

namespace IncidentFunctions.DevHost.Local;

/// <summary>Where the dev host finds host.json, local.settings.json and node_modules, and keeps its local state.</summary>
public sealed record RepositoryPaths(string Root)
{
    public string HostJson => Path.Combine(Root, "host.json");

    public string LocalSettings => Path.Combine(Root, "local.settings.json");

    public string NodeModules => Path.Combine(Root, "node_modules");

    /// <summary>Git-ignored: Azurite's data, MailDev's mail, the generated demo key.</summary>
    public string State => Path.Combine(Root, ".devhost");

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
