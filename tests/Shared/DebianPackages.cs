using System.Diagnostics;
using System.Text;

namespace IncidentFunctions.TestTools;

/// <summary>
/// A program the tests run from a Debian package (Alertmanager, Chromium), installed on first use when this machine
/// allows it (root with apt-get, as on CI): the test suite and the benchmark set up what they need on a fresh machine.
/// Elsewhere they fail saying how to install it.
/// </summary>
public static class DebianPackages
{
    /// <summary>The path of <paramref name="binary"/>, installing <paramref name="package"/> first if it is missing.</summary>
    public static async Task<string> InstallAsync(string binary, string package)
    {
        if (File.Exists(binary))
        {
            return binary;
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/apt-get"))
        {
            throw new InvalidOperationException($"{binary} is missing and this user cannot install it: run 'sudo apt-get install {package}'.");
        }

        // A fresh machine may have no package lists yet: try as it is, then once more after an update.
        var log = new StringBuilder();
        if (await AptAsync(log, "install", "-y", "--no-install-recommends", package) != 0)
        {
            await AptAsync(log, "update");
            await AptAsync(log, "install", "-y", "--no-install-recommends", package);
        }

        return File.Exists(binary) ? binary : throw new InvalidOperationException($"Could not install {package}:\n{log}");
    }

    static async Task<int> AptAsync(StringBuilder log, params string[] arguments)
    {
        var start = new ProcessStartInfo("apt-get") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var apt = Process.Start(start)!;
        var stdout = apt.StandardOutput.ReadToEndAsync();
        var stderr = apt.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await apt.WaitForExitAsync(timeout.Token);
        log.AppendLine($"apt-get {string.Join(' ', arguments)} exited {apt.ExitCode}").AppendLine(await stdout).AppendLine(await stderr);
        return apt.ExitCode;
    }
}
