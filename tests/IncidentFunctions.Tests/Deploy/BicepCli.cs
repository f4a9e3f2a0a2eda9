using System.Diagnostics;
using System.Reflection;

namespace IncidentFunctions.Tests.Deploy;

/// <summary>
/// The real Bicep CLI, from the Azure.Bicep.CommandLine.linux-x64 package pinned in Directory.Packages.props: NuGet
/// restore fetches it like any other package, so a fresh clone needs nothing else.
/// </summary>
public sealed class BicepCli
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    // Variables main.bicepparam reads: the caller decides each of them, none leaks in from the machine running the
    // tests (a developer's shell may well have azd's values exported).
    internal static readonly string[] ParameterVariables =
    [
        "AZURE_ENV_NAME", "AZURE_PRINCIPAL_ID", "AZURE_PRINCIPAL_TYPE", "AUTH_CLIENT_ID", "LINK_SIGNING_KEY_EXISTS",
        "LINK_SIGNING_KEY_ROTATING", "EMAIL_SENDER_DISPLAY_NAME", "EMAIL_CUSTOM_DOMAIN", "EMAIL_CUSTOM_DOMAIN_VERIFIED",
        "INTEGRATIONS",
    ];

    BicepCli(string packaged, string executable) => (Packaged, Executable) = (packaged, executable);

    /// <summary>The binary in the package folder restore created.</summary>
    public string Packaged { get; }

    /// <summary>What runs: <see cref="Packaged"/>, or a private executable copy of it.</summary>
    public string Executable { get; }

    /// <summary>The executable restore placed in the package folder (the test project records that path at build time).</summary>
    public static BicepCli FromPinnedPackage()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepExecutable")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI is not at '{path}'. It comes from the Azure.Bicep.CommandLine.linux-x64 package that " +
                "IncidentFunctions.Tests.csproj references; run `dotnet restore` (the package holds a linux-x64 binary only).");
        }

        return new BicepCli(path, EnsureExecutable(path));
    }

    /// <summary>
    /// NuGet does not promise to keep Unix permissions when it extracts a package, so the binary is made executable
    /// here; where the package cache belongs to someone else, a private copy is run instead.
    /// </summary>
    static string EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & execute) == execute)
        {
            return path;
        }

        try
        {
            File.SetUnixFileMode(path, mode | execute);
            return path;
        }
        catch (UnauthorizedAccessException)
        {
            var copy = Path.Combine(Path.GetTempPath(), $"bicep-{Environment.UserName}-{new FileInfo(path).Length}-{File.GetLastWriteTimeUtc(path).Ticks}");
            if (!File.Exists(copy))
            {
                var partial = $"{copy}.{Environment.ProcessId}";
                File.Copy(path, partial, overwrite: true);
                File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                File.Move(partial, copy, overwrite: true);
            }

            return copy;
        }
    }

    /// <summary>Runs the CLI in <paramref name="workingDirectory"/> with exactly the given parameter variables set.</summary>
    public async Task<BicepResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? variables, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in ParameterVariables)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        using var timeout = new CancellationTokenSource(Timeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepResult(string.Join(' ', arguments), process.ExitCode, await output, await error);
    }
}

/// <summary>What one run of the CLI printed. The compiler and the linter report diagnostics on stderr.</summary>
public sealed record BicepResult(string Command, int ExitCode, string Output, string Error)
{
    public override string ToString() => $"bicep {Command} exited {ExitCode}\n{Output}\n{Error}";
}
