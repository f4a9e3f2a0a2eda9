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

    static readonly Lazy<Task<string>> Installed = new(() => DebianPackages.InstallAsync(Binary, Package));
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
