using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// The dev host as a developer runs it (a child process), on its own Azurite. Its development principal is off, so the
/// read routes answer 401 unless a test signs in with <see cref="Responder"/>.
/// </summary>
public sealed class DevHostFixture : IAsyncLifetime
{
    public const string Integration = "e2e";
    public static readonly string Secret = "e2e-" + Guid.NewGuid().ToString("N");
    public static readonly string RotatedSecret = "e2e-next-" + Guid.NewGuid().ToString("N");

    public AzuriteFixture Azurite { get; } = new();

    public DevHostProcess Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>What the host said before its last restart, for diagnosing a failed restart.</summary>
    public string PreviousOutput { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        Host = await DevHostProcess.StartAsync(NodeService.FreePort(), Settings(), TimeSpan.FromMinutes(3));
        Http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    Dictionary<string, string> Settings() => new()
    {
        ["AzureWebJobsStorage"] = Azurite.ConnectionString,
        [$"Integrations__{Integration}__Secrets__0"] = Secret,
        [$"Integrations__{Integration}__Secrets__1"] = RotatedSecret,
        ["DevHost__Principal"] = string.Empty,
        // Retry a failing queue message quickly so the poison path is observable within seconds.
        ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.200",
    };

    /// <summary>Stops and starts the host on the same storage, as a developer restarting it would.</summary>
    public async Task RestartAsync()
    {
        await Host.StopAsync();
        PreviousOutput = Host.Output;
        await Host.DisposeAsync();
        Host = await DevHostProcess.StartAsync(Host.Port, Settings(), TimeSpan.FromMinutes(3));
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

    public async Task<Incident?> FindIncidentAsync(string dedupKey, string status = "all")
    {
        string? token = null;
        do
        {
            var path = $"incidents?status={status}&limit=100" + (token is null ? string.Empty : $"&continuation={token}");
            using var response = await Http.SendAsync(Responder(HttpMethod.Get, path));
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<ResultPage<Incident>>(JsonDefaults.Options);
            if (page!.Items.FirstOrDefault(i => i.DedupKey == dedupKey) is { } found)
            {
                return found;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return null;
    }

    /// <summary>A Durable Task client on the dev host's own task hub server (its Unix socket).</summary>
    public DurableTaskClient DurableClient() =>
        new GrpcDurableTaskClient("tests", new GrpcDurableTaskClientOptions { Channel = DurableFunctions.CreateChannel(Host.GrpcSocket) }, NullLogger<GrpcDurableTaskClient>.Instance);

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DevHostCollection : ICollectionFixture<DevHostFixture>
{
    public const string Name = "DevHost";
}
