using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// The dev host as a developer starts and stops it, with the Azurite and MailDev it starts itself (each test on its own
/// data folder and free ports): a kill leaves nothing that blocks the next start, a port taken by another program is
/// one line, and SIGTERM stops it as quickly and quietly as Ctrl+C.
/// </summary>
public sealed class DevHostStartStopTests : IDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The banner's line once the Durable warm-up ran within its limit, up to its figure in ms.</summary>
    const string WarmedInTime = Banner.DurableWarmedPrefix + "IncidentFunctions, its path run once in";

    readonly string dataFolder = Directory.CreateTempSubdirectory("incidentfunctions-data-").FullName;
    readonly int port = NodeService.FreePort();
    readonly AzuritePorts azurite = AzuritePorts.Free();
    readonly MailDevPorts mailDev = MailDevPorts.Free();
    readonly List<int> started = [];

    /// <summary>Everything the dev host starts on its own, on this test's ports and data folder.</summary>
    Dictionary<string, string> Settings() => new()
    {
        // Empty, so that neither the environment nor a local.settings.json points the host at storage or mail of theirs.
        [ConnectionNames.Storage] = string.Empty,
        ["Email__Transport"] = string.Empty,
        ["DevHost__DataFolder"] = dataFolder,
        ["DevHost__AzuriteBlobPort"] = azurite.Blob.ToString(),
        ["DevHost__AzuriteQueuePort"] = azurite.Queue.ToString(),
        ["DevHost__AzuriteTablePort"] = azurite.Table.ToString(),
        ["DevHost__MailDevSmtpPort"] = mailDev.Smtp.ToString(),
        ["DevHost__MailDevWebPort"] = mailDev.Web.ToString(),
        // Twice the default, so that a start slowed by the rest of the suite still warms up in time, while a task hub
        // whose partitions stay leased (15 s and more after a stop) still does not.
        ["DevHost__DurableWarmUpSeconds"] = "10",
    };

    [Fact]
    public async Task ADataFolderIsRefusedWhileItsDevHostRunsAndTakenOverAfterItIsKilled()
    {
        await using var first = await DevHostProcess.StartAsync(port, Settings(), StartTimeout);
        var tools = ChildProcesses(first.ProcessId);
        Assert.Equal(4, tools.Count); // Azurite's three services and MailDev

        var refused = await Assert.ThrowsAsync<DevHostExitedException>(() => DevHostProcess.StartAsync(NodeService.FreePort(), Settings(), StartTimeout));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"Another dev host (process {first.ProcessId}) uses the data folder {dataFolder}", refused.Output, StringComparison.Ordinal);
        AssertOneLine(refused.Output);
        Assert.All(tools, tool => Assert.True(IsRunning(tool), $"tool process {tool} of the running host was stopped"));

        // Suspended tools cannot notice that their host is gone (see TheToolsOfAKilledDevHostStopWithIt): the next
        // start must find them by what the killed host wrote down in the data folder.
        Signal("STOP", tools);
        await first.KillAsync();
        await using var second = await DevHostProcess.StartAsync(port, Settings(), StartTimeout);

        Assert.All(tools, tool => Assert.False(IsRunning(tool), $"tool process {tool} of the killed host still runs"));
        Assert.False(File.Exists(first.GrpcSocket), "the killed host's task hub socket was left behind");
        var stopped = Assert.Single(second.Output.Split('\n'), line => line.Contains($"left running in {dataFolder} by a dev host that ended without stopping them", StringComparison.Ordinal));
        Assert.All(tools, tool => Assert.Contains($"({tool})", stopped, StringComparison.Ordinal));
        await AssertServesAsync(second);
    }

    [Fact]
    public async Task TheToolsOfAKilledDevHostStopWithIt()
    {
        await using var host = await DevHostProcess.StartAsync(port, Settings(), StartTimeout);
        var tools = ChildProcesses(host.ProcessId);
        Assert.Equal(4, tools.Count);

        await host.KillAsync();
        File.Delete(host.GrpcSocket); // No dev host starts on this folder after it to tidy up.

        await Eventually.Get(() => Task.FromResult<List<int>?>(tools.Where(IsRunning).ToList()), running => running!.Count == 0, "the killed host's tools to exit", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task APortHeldByAnotherProgramStopsTheStartWithOneLine()
    {
        // MailDev starts after Azurite: the Azurite already started must be stopped too.
        using var other = new TcpListener(IPAddress.Loopback, mailDev.Smtp);
        other.Start();

        var refused = await Assert.ThrowsAsync<DevHostExitedException>(() => DevHostProcess.StartAsync(port, Settings(), StartTimeout));

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"Port {mailDev.Smtp} is in use by another program", refused.Output, StringComparison.Ordinal);
        AssertOneLine(refused.Output);
        Assert.False(await NodeService.AcceptsAsync(azurite.Blob), "the Azurite started before the refusal still runs");
    }

    [Fact]
    public async Task SigtermStopsTheDevHostWithinSecondsAndWithoutErrorsWhileWorkIsInFlight()
    {
        // Level 2 is paged by an activity of the incident's orchestration a second after it opens; its email is held
        // at the relay, so the activity is in flight when the signal comes.
        var policy = new TestPolicy { Levels = [new(["person:alice"], 1), new(["person:bob"], 600)] };
        await using var relay = new ScriptedSmtpServer(heldRecipient: policy.Email("bob"));
        var settings = Settings();
        foreach (var (key, value) in relay.EmailSettings)
        {
            settings[key] = value;
        }

        settings["Policy__Json"] = policy.Json;
        await using var host = await DevHostProcess.StartAsync(port, settings, StartTimeout);
        var tools = ChildProcesses(host.ProcessId);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using (var response = await PostDemoAlertAsync(http, TestAlerts.NewKey("sigterm")))
        {
            response.EnsureSuccessStatusCode();
        }

        await relay.Held.WaitAsync(TimeSpan.FromSeconds(90));

        var stopwatch = Stopwatch.StartNew();
        var stopping = host.StopAsync();
        // The held send completes once the host is stopping, as a send that was almost done would.
        await Eventually.Get(() => Task.FromResult(host.Output.Contains("Application is shutting down", StringComparison.Ordinal) ? "stopping" : null), "the host to begin stopping");
        relay.Release();
        await stopping;
        stopwatch.Stop();

        var output = host.Output;
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"SIGTERM took {stopwatch.Elapsed.TotalSeconds:0.0} s to stop the host:\n{output}");
        Assert.Equal(0, host.ExitCode);
        Assert.DoesNotContain("Call canceled", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain(" fail: ", output, StringComparison.Ordinal);
        // The held page was sent before the host stopped, not dropped.
        Assert.Matches(@"Sent Page email for incident \S+ to bob", output);
        Assert.All(tools, tool => Assert.False(IsRunning(tool), $"tool process {tool} still runs after the host stopped"));
    }

    [Fact]
    public async Task TheDevHostSaysItIsReadyOnlyOnceAnOrchestrationRanThroughItAndLeavesNoTraceOfIt()
    {
        var settings = Settings();
        // The worker's own lines, which the dev host otherwise keeps quiet, show that the warm-up really ran.
        settings["Logging__LogLevel__Microsoft.DurableTask.Worker.Orchestrations"] = "Information";
        await using var host = await DevHostProcess.StartAsync(port, settings, StartTimeout);

        // The banner, written whole once the warm-up is done, says how long it took; log lines may trail it.
        Assert.Matches($@"{Regex.Escape(WarmedInTime)} \d+ ms", host.Output);
        var pattern = new Regex($@"'{Regex.Escape(DurableWarmUp.Orchestrator)}' orchestration with ID '({DurableWarmUp.InstancePrefix}[0-9a-f]+)' completed");
        var completed = await Eventually.Get(() => Task.FromResult<Match?>(pattern.Match(host.Output)), m => m!.Success, "the worker's line for the warm-up orchestration");

        // Purged: neither its instance nor any of its history is left in the task hub.
        var instanceId = completed!.Groups[1].Value;
        await using var client = DevHostFixture.DurableClientOf(host);
        Assert.Null(await client.GetInstanceAsync(instanceId));
        var tables = new TableServiceClient(azurite.ConnectionString);
        foreach (var table in new[] { "IncidentFunctionsHistory", "IncidentFunctionsInstances" })
        {
            await foreach (var row in tables.GetTableClient(table).QueryAsync<TableEntity>($"PartitionKey eq '{instanceId}'"))
            {
                Assert.Fail($"The warm-up left {table} row {row.PartitionKey}/{row.RowKey}.");
            }
        }
    }

    [Fact]
    public async Task ADevHostStoppedRightAfterOpeningAnIncidentStillHasItAndItsTaskHubFreeAfterARestart()
    {
        var key = TestAlerts.NewKey("stopped-right-after");
        await using (var first = await DevHostProcess.StartAsync(port, Settings(), StartTimeout))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            using (var accepted = await PostDemoAlertAsync(http, key))
            {
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            }

            // Stopped the moment the incident is listed: Azurite saves to disk every 5 s, and on a clean shutdown.
            await Eventually.Get(async () => await OpenIncidentsAsync(http), body => body!.Contains(key, StringComparison.Ordinal), "the incident listed");
            await first.StopAsync();
        }

        await using var second = await DevHostProcess.StartAsync(port, Settings(), StartTimeout);
        using var again = new HttpClient { BaseAddress = second.BaseAddress };
        Assert.Contains(key, await OpenIncidentsAsync(again), StringComparison.Ordinal);
        // The first host released the task hub's partitions as it stopped, and that was kept too: the second ran its
        // warm-up orchestration at once instead of waiting for the leases to expire.
        Assert.Contains(WarmedInTime, second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterAKillTheNextStartLeavesNoDurableWarmUpBehindWhetherTheLeasesLetItRunAtOnceOrLater()
    {
        await using (var killed = await DevHostProcess.StartAsync(port, Settings(), StartTimeout))
        {
            await killed.KillAsync();
        }

        // The killed host's partition leases may hold for up to 30 s more, and no orchestration runs before they
        // expire: then the warm-up says so rather than hold the start, and purges its orchestration once it has run.
        // Whether they still hold when the next start gets there depends on timing, so either way is accepted here;
        // what must hold is that no warm-up orchestration is left.
        await using var next = await DevHostProcess.StartAsync(port, Settings(), StartTimeout);
        string outcome;
        try
        {
            outcome = await Eventually.Get(
                () => Task.FromResult(
                    next.Output.Contains(WarmedInTime, StringComparison.Ordinal) ? "at once"
                    : next.Output.Contains("ran late, and is purged", StringComparison.Ordinal) ? "late" : null),
                "the warm-up run and purged",
                TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}. The dev host wrote:{Environment.NewLine}{next.Output}", e);
        }

        await using var client = DevHostFixture.DurableClientOf(next);
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery(InstanceIdPrefix: DurableWarmUp.InstancePrefix)))
        {
            Assert.Fail($"The warm-up orchestration {instance.InstanceId} ({instance.RuntimeStatus}) was left after it ran {outcome}.");
        }
    }

    async Task AssertServesAsync(DevHostProcess host)
    {
        var key = TestAlerts.NewKey("after-kill");
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using var accepted = await PostDemoAlertAsync(http, key);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await Eventually.Get(async () => await OpenIncidentsAsync(http), body => body!.Contains(key, StringComparison.Ordinal), "the incident listed");
    }

    Task<HttpResponseMessage> PostDemoAlertAsync(HttpClient http, string dedupKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"alerts/{LocalSettings.DemoIntegration}")
        {
            Content = new StringContent(
                $$$"""{"title":"Checkout latency above 2s","severity":"critical","source":"checkout-api","dedupKey":"{{{dedupKey}}}","labels":{"service":"checkout"}}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(dataFolder, "demo-key")).Trim());
        return http.SendAsync(request);
    }

    /// <summary>The open incidents as the API lists them (the dev host signs requests in as its development user).</summary>
    static Task<string> OpenIncidentsAsync(HttpClient http) => http.GetStringAsync("incidents?status=open&limit=100");

    /// <summary>The reason is all the host says: a stack trace, or anything else, would bury it.</summary>
    static void AssertOneLine(string output) =>
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The processes whose parent is <paramref name="pid"/> (Linux: from /proc); the test stops them at the end if need be.</summary>
    List<int> ChildProcesses(int pid)
    {
        var children = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!))
            .Where(child => ParentOf(child) == pid)
            .ToList();
        started.AddRange(children);
        return children;
    }

    static int? ParentOf(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": the command may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return null; // Gone meanwhile.
        }
    }

    static void Signal(string signal, IEnumerable<int> pids)
    {
        using var kill = Process.Start("kill", [$"-{signal}", .. pids.Select(p => p.ToString())]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    static bool IsRunning(int pid)
    {
        try
        {
            // A zombie (exited, not yet reaped by its parent) no longer runs.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        // A failed test may leave a killed host's tools running; they would hold the ports and the folder.
        foreach (var tool in started.Where(IsRunning))
        {
            try
            {
                using var process = Process.GetProcessById(tool);
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }

        try
        {
            Directory.Delete(dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A tool that outlived a failed test may still write here; the folder is in the temp directory.
        }
    }
}
