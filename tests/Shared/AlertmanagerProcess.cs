using System.Diagnostics;
using System.Text;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.TestTools;

/// <summary>
/// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, with clustering off and
/// its own data folder. The tests hand it alerts through its API and it notifies the dev host as it would in production;
/// the lifecycle benchmark has it email the same inbox as the app, to compare the two first emails in one run.
/// </summary>
public sealed class AlertmanagerProcess : IAsyncDisposable
{
    const string Binary = "/usr/bin/prometheus-alertmanager";
    const string Package = "prometheus-alertmanager";

    static readonly Lazy<Task<string>> Installed = new(InstallAsync);
    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    readonly Process process;
    readonly StringBuilder output = new();
    readonly string folder;

    AlertmanagerProcess(Process process, string folder, int port)
    {
        this.process = process;
        this.folder = folder;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts Alertmanager with <paramref name="configYaml"/> and waits until it says it is ready.</summary>
    public static async Task<AlertmanagerProcess> StartAsync(string configYaml)
    {
        var binary = await Installed.Value;
        var folder = Path.Combine(Path.GetTempPath(), "incidentfunctions-alertmanager-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "alertmanager.yml");
        await File.WriteAllTextAsync(config, configYaml);
        var port = NodeService.FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                $"--config.file={config}",
                $"--storage.path={Path.Combine(folder, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=debug",
            },
        };
        var alertmanager = new AlertmanagerProcess(Process.Start(start)!, folder, port);
        alertmanager.process.OutputDataReceived += (_, e) => alertmanager.Append(e.Data);
        alertmanager.process.ErrorDataReceived += (_, e) => alertmanager.Append(e.Data);
        alertmanager.process.BeginOutputReadLine();
        alertmanager.process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!await alertmanager.ReadyAsync())
        {
            if (alertmanager.process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = alertmanager.Output;
                await alertmanager.DisposeAsync();
                throw new InvalidOperationException($"Alertmanager did not get ready within {ReadyTimeout.TotalSeconds} s:\n{log}");
            }

            await Task.Delay(100);
        }

        return alertmanager;
    }

    /// <summary>Hands alerts to Alertmanager the way Prometheus does (POST /api/v2/alerts); throws if it refuses them.</summary>
    public async Task PostAlertsAsync(string json, CancellationToken ct = default)
    {
        using var response = await Http.PostAsync("api/v2/alerts", new StringContent(json, Encoding.UTF8, "application/json"), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Alertmanager refused the alerts: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    async Task<bool> ReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync("-/ready");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    /// <summary>
    /// The Debian binary, installed on first use when this machine allows it (root with apt-get, as on CI): the test
    /// suite and the benchmark set up what they need on a fresh machine. Elsewhere they fail saying how to install it.
    /// </summary>
    static async Task<string> InstallAsync()
    {
        if (File.Exists(Binary))
        {
            return Binary;
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/apt-get"))
        {
            throw new InvalidOperationException($"{Binary} is missing and this user cannot install it: run 'sudo apt-get install {Package}'.");
        }

        // A fresh machine may have no package lists yet: try as it is, then once more after an update.
        var log = new StringBuilder();
        if (await AptAsync(log, "install", "-y", "--no-install-recommends", Package) != 0)
        {
            await AptAsync(log, "update");
            await AptAsync(log, "install", "-y", "--no-install-recommends", Package);
        }

        return File.Exists(Binary) ? Binary : throw new InvalidOperationException($"Could not install {Package}:\n{log}");
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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind harms nothing.
        }
    }
}
