using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.TestTools;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// What a self-hosted benchmark run talks to: its own Azurite and MailDev on free loopback ports, data in a temporary
/// folder, so a run never touches (or collides with) a developer's dev host. Removed at the end.
/// </summary>
public sealed class BenchStack : IAsyncDisposable
{
    readonly DirectoryInfo state = Directory.CreateTempSubdirectory("incidentfunctions-bench-");
    readonly List<NodeService> services = [];

    public AzuritePorts Azurite { get; } = AzuritePorts.Free();

    public MailDevPorts MailDev { get; } = MailDevPorts.Free();

    public string StateFolder => state.FullName;

    /// <summary>Where on-disk Azurite keeps its data (empty when it runs in memory).</summary>
    public string AzuriteFolder => Path.Combine(StateFolder, "azurite");

    /// <summary>The running tools, by name ("Azurite blob", "Azurite queue", "Azurite table", "MailDev"), for their CPU use.</summary>
    public IReadOnlyList<NodeService> Tools => services;

    /// <summary>The dev host settings (environment variable spelling) that point it at this stack.</summary>
    public Dictionary<string, string> Settings => new()
    {
        [ConnectionNames.Storage] = Azurite.ConnectionString,
        ["Email__Transport"] = "Smtp",
        ["Email__From"] = "bench@localhost",
        ["Email__Smtp__Host"] = "127.0.0.1",
        ["Email__Smtp__Port"] = MailDev.Smtp.ToString(),
        ["Email__Smtp__Security"] = "None",
    };

    /// <summary>A fresh integration secret (a run's senders present it; nothing else knows it).</summary>
    public static string NewSecret() => "bench-" + RandomNumberGenerator.GetHexString(40, lowercase: true);

    /// <summary>The people the benchmarks' policy pages, level by level; both are the owning team.</summary>
    public static readonly ImmutableArray<string> Levels = ["alice", "bob"];

    /// <summary>
    /// The escalation policy of the paging benchmarks: alice is paged first; bob <paramref name="aliceDelayMinutes"/>
    /// later unless someone acknowledged; alice again <paramref name="bobDelayMinutes"/> after bob, and so on, the two
    /// levels <paramref name="repeat"/> + 1 times; then, <paramref name="bobDelayMinutes"/> after bob's last page,
    /// escalation is exhausted and the team (both of them) is emailed once.
    /// </summary>
    public static string TwoLevelPolicy(double aliceDelayMinutes, double bobDelayMinutes = 60, int repeat = 0) => JsonSerializer.Serialize(new
    {
        version = "bench",
        people = new[]
        {
            new { id = Levels[0], name = "Alice", email = $"{Levels[0]}@example.com", timeZone = "Europe/London" },
            new { id = Levels[1], name = "Bob", email = $"{Levels[1]}@example.com", timeZone = "America/New_York" },
        },
        teams = new[] { new { id = "platform", name = "Platform", members = Levels } },
        escalationPolicies = new[]
        {
            new
            {
                id = "bench",
                levels = new object[]
                {
                    new { targets = new[] { new { person = Levels[0] } }, delayMinutes = aliceDelayMinutes },
                    new { targets = new[] { new { person = Levels[1] } }, delayMinutes = bobDelayMinutes },
                },
                repeat,
            },
        },
        services = new[] { new { id = "checkout", name = "Checkout", team = "platform", impactTier = 1, escalationPolicy = "bench" } },
        defaultService = "checkout",
    });

    /// <summary>The dev host assembly to run: the published one (see <see cref="PublishedDevHost"/>), or null for the built one.</summary>
    string? devHost;

    public static async Task<BenchStack> StartAsync(bool azuriteOnDisk, bool jit, CancellationToken ct)
    {
        var stack = new BenchStack();
        try
        {
            stack.devHost = await PublishedDevHost.PrepareAsync(jit, ct);
            var paths = RepositoryPaths.Find();
            await LocalTools.EnsureNpmPackagesAsync(paths, NullLogger.Instance);
            var ports = stack.Azurite;
            Report.Progress($"starting Azurite on 127.0.0.1:{ports.Blob},{ports.Queue},{ports.Table} and MailDev on SMTP {stack.MailDev.Smtp}, web {stack.MailDev.Web}, in {stack.StateFolder}");
            stack.services.AddRange(await LocalTools.StartAzuriteAsync(paths, stack.AzuriteFolder, ports, inMemory: !azuriteOnDisk));
            stack.services.Add(await LocalTools.StartMailDevAsync(paths, Path.Combine(stack.StateFolder, "maildev"), stack.MailDev));
            await WarmInboxAsync(stack.MailDev, ct);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends MailDev one email of its own and takes it out again. The inbox is the instrument, not a system under test:
    /// its first email (MailDev, in Node, parses, stores and lists its first message) took it a few hundred ms more than
    /// later ones, which landed on whichever system's email came first, ours or Alertmanager's. A mail provider in
    /// production is never cold.
    /// </summary>
    static async Task WarmInboxAsync(MailDevPorts maildev, CancellationToken ct)
    {
        using (var smtp = new MailKit.Net.Smtp.SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", maildev.Smtp, MailKit.Security.SecureSocketOptions.None, ct);
            var message = new MimeKit.MimeMessage { Subject = "inbox warm-up", Body = new MimeKit.TextPart("plain") { Text = "warm-up" } };
            message.From.Add(MimeKit.MailboxAddress.Parse("bench@example.invalid"));
            message.To.Add(MimeKit.MailboxAddress.Parse("warm-up@example.invalid"));
            await smtp.SendAsync(message, ct);
            await smtp.DisconnectAsync(quit: true, ct);
        }

        using var mail = new MailDevClient(maildev);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (await mail.ListAsync(ct: ct) is { Count: > 0 } listed)
            {
                await mail.DeleteAsync([.. listed.Select(e => e.Id)], ct);
                return;
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("MailDev did not list the warm-up email within 30 s.");
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>
    /// Starts the dev host as a child process on this stack, with <paramref name="settings"/> on top of
    /// <see cref="Settings"/>: it logs warnings and errors only, and signs read requests in as a bench user.
    /// </summary>
    public async Task<DevHostProcess> StartDevHostAsync(IReadOnlyDictionary<string, string> settings)
    {
        var all = Settings;
        all["DevHost__Principal"] = "bench@localhost";
        all["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in settings)
        {
            all[name] = value;
        }

        var starting = Stopwatch.StartNew();
        var host = await DevHostProcess.StartAsync(NodeService.FreePort(), all, TimeSpan.FromMinutes(3), devHost);
        Report.Progress($"dev host ready at {host.BaseAddress} (pid {host.ProcessId}) after {Report.Seconds(starting.Elapsed)} s");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }

        DeleteQuietly(state);
    }

    static void DeleteQuietly(DirectoryInfo directory)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                directory.Refresh();
                if (directory.Exists)
                {
                    directory.Delete(recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 3)
                {
                    Console.Error.WriteLine($"could not delete {directory.FullName}: {e.Message}");
                }

                Thread.Sleep(500);
            }
        }
    }
}
