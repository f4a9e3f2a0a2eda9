using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// The dev host as a developer runs it (a child process), on its own Azurite. Its development principal is off, so the
/// read routes answer 401 unless a test signs in with <see cref="Responder"/>.
/// </summary>
public sealed class DevHostFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string Integration = "e2e";
    public const string AlertmanagerIntegration = "e2e-alertmanager";
    public const string AzureMonitorIntegration = "e2e-azure-monitor";
    public const string PagerDutyIntegration = "e2e-pagerduty";
    public const string GrafanaIntegration = "e2e-grafana";

    /// <summary>The HMAC secret of <see cref="GrafanaIntegration"/>, which signs with a timestamp as Grafana 12 can.</summary>
    public static readonly string GrafanaHmacSecret = "grafana-" + Guid.NewGuid().ToString("N");

    /// <summary>The Events API routing key of <see cref="PagerDutyIntegration"/>: 32 hex characters, as PagerDuty's are.</summary>
    public static readonly string RoutingKey = Guid.NewGuid().ToString("N");
    public static readonly string Secret = "e2e-" + Guid.NewGuid().ToString("N");
    public static readonly string RotatedSecret = "e2e-next-" + Guid.NewGuid().ToString("N");

    public PipelineFixture Services { get; } = new(diagnostics);

    public AzuriteFixture Azurite => Services.Azurite;

    /// <summary>
    /// Escalation for the end-to-end tests: alice first, then the whole team. The first delay leaves room to act on the
    /// first email, or to restart the host, before level 2 is due. Stakeholder updates on checkout, at any priority, go
    /// to <see cref="Stakeholders"/>, a list outside the policy's people.
    /// </summary>
    public TestPolicy Policy { get; } = new()
    {
        Levels = [new(["person:alice"], LevelDelaySeconds), new(["team:platform"], LevelDelaySeconds)],
        Response = new Dictionary<string, object>
        {
            ["stakeholders"] = new object[] { new { services = new[] { "checkout" }, targets = new object[] { new { email = Stakeholders } } } },
        },
    };

    public const string Stakeholders = "stakeholders@example.com";

    public const double LevelDelaySeconds = 20;

    public DevHostProcess Host { get; private set; } = null!;

    /// <summary>The host's own data folder (its generated demo key), apart from a developer's .devhost.</summary>
    public string DataFolder { get; } = Directory.CreateTempSubdirectory("incidentfunctions-e2e-").FullName;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>What the host said before its last restart, for diagnosing a failed restart.</summary>
    public string PreviousOutput { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        await Services.InitializeAsync();
        Host = await DevHostProcess.StartAsync(port, Settings(port, DataFolder), TimeSpan.FromMinutes(3));
        Http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// The settings of a dev host on this fixture's Azurite and MailDev, serving on <paramref name="hostPort"/> and keeping
    /// its state in <paramref name="dataFolder"/>: the fixture's own host, or a second one a test starts beside it.
    /// </summary>
    public Dictionary<string, string> Settings(int hostPort, string dataFolder)
    {
        var settings = Services.Settings(Policy);
        settings[$"Integrations__{Integration}__Secrets__0"] = Secret;
        settings[$"Integrations__{Integration}__Secrets__1"] = RotatedSecret;
        settings[$"Integrations__{AlertmanagerIntegration}__Secrets__0"] = Secret;
        settings[$"Integrations__{AlertmanagerIntegration}__Format"] = Ingestion.AlertFormats.Alertmanager;
        settings[$"Integrations__{AzureMonitorIntegration}__Secrets__0"] = Secret;
        settings[$"Integrations__{AzureMonitorIntegration}__Format"] = Ingestion.AlertFormats.AzureMonitor;
        settings[$"Integrations__{PagerDutyIntegration}__Secrets__0"] = RoutingKey;
        settings[$"Integrations__{PagerDutyIntegration}__Format"] = Ingestion.AlertFormats.PagerDuty;
        settings[$"Integrations__{GrafanaIntegration}__Format"] = Ingestion.AlertFormats.Grafana;
        settings[$"Integrations__{GrafanaIntegration}__HmacSecrets__0"] = GrafanaHmacSecret;
        settings[$"Integrations__{GrafanaIntegration}__HmacTimestampHeader"] = Ingestion.HmacSignatures.GrafanaTimestampHeader;
        settings["DevHost__Principal"] = string.Empty;
        settings["DevHost__DataFolder"] = dataFolder;
        // Links in emails must point at this host, on its own port.
        settings["Links__BaseUrl"] = $"http://localhost:{hostPort}";
        // Retry a failing queue message quickly so the poison path is observable within seconds.
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.200";
        return settings;
    }

    readonly int port = NodeService.FreePort();

    /// <summary>Stops and starts the host on the same storage, as a developer restarting it would.</summary>
    public async Task RestartAsync()
    {
        await Host.StopAsync();
        PreviousOutput = Host.Output;
        await Host.DisposeAsync();
        Host = await DevHostProcess.StartAsync(Host.Port, Settings(Host.Port, DataFolder), TimeSpan.FromMinutes(3));
    }

    public static HttpRequestMessage Responder(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode("responder@example.com"));
        return request;
    }

    public Task<HttpResponseMessage> PostAlertAsync(string json, string? secret = null, string integration = Integration)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"alerts/{integration}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret ?? Secret);
        return Http.SendAsync(request);
    }

    public Task<Incident?> FindIncidentAsync(string dedupKey, string status = "all") =>
        FindIncidentAsync(i => i.DedupKey == dedupKey, status);

    /// <summary>The newest incident in the <paramref name="status"/> listing whose summary matches, read whole; or null.</summary>
    public async Task<Incident?> FindIncidentAsync(Func<IncidentSummary, bool> match, string status = "all")
    {
        string? token = null;
        do
        {
            var path = $"incidents?status={status}&limit=100" + (token is null ? string.Empty : $"&continuation={token}");
            using var response = await Http.SendAsync(Responder(HttpMethod.Get, path));
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<ResultPage<IncidentSummary>>(JsonDefaults.Options);
            if (page!.Items.FirstOrDefault(match) is { } found)
            {
                using var read = await Http.SendAsync(Responder(HttpMethod.Get, $"incidents/{found.Id}"));
                read.EnsureSuccessStatusCode();
                return await read.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options);
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return null;
    }

    /// <summary>The incident's timeline as the API returns it, oldest first.</summary>
    public async Task<List<TimelineEvent>> TimelineAsync(string id)
    {
        using var response = await Http.SendAsync(Responder(HttpMethod.Get, $"incidents/{id}/timeline?limit=100"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ResultPage<TimelineEvent>>(JsonDefaults.Options))!.Items.ToList();
    }

    /// <summary>The emails MailDev received for the incident, in arrival order.</summary>
    public Task<IReadOnlyList<MailDevEmail>> EmailsAsync(string incidentId) => Services.MailDev.EmailsAsync(incidentId);

    /// <summary>A Durable Task client on the task hub server (its Unix socket) of the dev host, or of <paramref name="host"/>.</summary>
    public DurableTaskClient DurableClient(DevHostProcess? host = null) => DurableClientOf(host ?? Host);

    /// <summary>A Durable Task client on the task hub server of any dev host, one a test started itself among them.</summary>
    public static DurableTaskClient DurableClientOf(DevHostProcess host) =>
        new GrpcDurableTaskClient("tests", new GrpcDurableTaskClientOptions { Channel = DurableFunctions.CreateChannel(host.GrpcSocket) }, NullLogger<GrpcDurableTaskClient>.Instance);

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Services.DisposeAsync();
        Directory.Delete(DataFolder, recursive: true);
    }
}

/// <summary>The dev host's tests; the browser tests among them share one Chromium, started only when one of them runs.</summary>
[CollectionDefinition(Name)]
public sealed class DevHostCollection : ICollectionFixture<DevHostFixture>, ICollectionFixture<Browser.ChromiumFixture>
{
    public const string Name = "DevHost";
}
