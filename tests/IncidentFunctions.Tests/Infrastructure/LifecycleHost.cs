using System.Text.Json;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using IncidentFunctions.Timeline;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// The app's services and its real orchestrations and activities on the Durable Task in-process test host, with
/// Azurite and MailDev behind them. Only the Durable backend is in memory; the end-to-end tests use Azure Storage.
/// </summary>
public sealed class LifecycleHost : IAsyncDisposable
{
    readonly PipelineFixture fixture;

    LifecycleHost(PipelineFixture fixture, TestPolicy policy, DurableTaskTestHost durable)
    {
        this.fixture = fixture;
        Policy = policy;
        Durable = durable;
    }

    public string Integration { get; } = "int-" + Guid.NewGuid().ToString("N")[..8];

    public TestPolicy Policy { get; }

    public DurableTaskTestHost Durable { get; }

    public DurableTaskClient Client => Durable.Client;

    public IServiceProvider Services => Durable.Services;

    public AlertProcessor Processor => Services.GetRequiredService<AlertProcessor>();

    public IncidentStore Incidents => Services.GetRequiredService<IncidentStore>();

    public TimelineStore Timeline => Services.GetRequiredService<TimelineStore>();

    public IncidentResponder Responder => Services.GetRequiredService<IncidentResponder>();

    public IIncidentLifecycle Lifecycle => Services.GetRequiredService<IncidentLifecycles>().For(Client);

    /// <summary>
    /// Starts the host. <paramref name="configure"/> runs after the app's own registrations, so a test can swap one
    /// seam (such as the Service Bus sender) and keep everything else real.
    /// </summary>
    public static async Task<LifecycleHost> StartAsync(
        PipelineFixture fixture, TestPolicy? policy = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        policy ??= new TestPolicy();
        var durable = await DurableTaskTestHost.StartAsync(
            registry => DurableFunctions.Register(registry, new FunctionCatalog(typeof(IncidentServices).Assembly), NullLoggerFactory.Instance),
            new DurableTaskTestHostOptions
            {
                // Its default is a random port in 30000-40000, which can collide with the other servers of the run.
                Port = NodeService.FreePort(),
                ConfigureServices = services =>
                {
                    services.AddIncidentServices(fixture.Configuration(policy, settings));
                    configure?.Invoke(services);
                },
            });
        return new LifecycleHost(fixture, policy, durable);
    }

    /// <summary>Fires an alert through the real processor and returns the incident it opened or fed.</summary>
    public async Task<IncidentEntity> FireAsync(string key, AlertStatus status = AlertStatus.Firing)
    {
        var alert = status == AlertStatus.Firing ? TestAlerts.Firing(Integration, key) : TestAlerts.Resolved(Integration, key);
        await Processor.ProcessAsync(alert, Lifecycle, CancellationToken.None);
        return await IncidentForAsync(key);
    }

    /// <summary>
    /// Creates an incident's row directly: no processor (so no first page) and no orchestration, which a test then
    /// drives by hand. Returns its id.
    /// </summary>
    public async Task<string> CreateIncidentAsync()
    {
        var alert = TestAlerts.Firing(Integration, TestAlerts.NewKey());
        var id = IncidentIds.New(DateTimeOffset.UtcNow);
        Assert.True(await Incidents.TryCreateAsync(IncidentEntity.Open(id, alert, DateTimeOffset.UtcNow), AlertEntity.From(id, alert), firstPage: null, CancellationToken.None));
        return id;
    }

    /// <summary>Policy people as notification recipients.</summary>
    public List<Recipient> Recipients(params string[] people) =>
        people.Select(p => new Recipient(p, p, Policy.Email(p), "UTC")).ToList();

    public async Task<IncidentEntity> IncidentForAsync(string key)
    {
        var pointer = await Incidents.FindKeyAsync(Integration, key, CancellationToken.None) ?? throw new InvalidOperationException($"No incident for {key}");
        return (await Incidents.FindAsync(pointer.IncidentId, CancellationToken.None))!;
    }

    public async Task<IncidentEntity> ReadAsync(string incidentId) => (await Incidents.FindAsync(incidentId, CancellationToken.None))!;

    public async Task<List<TimelineEvent>> EventsAsync(string incidentId)
    {
        var events = new List<TimelineEvent>();
        string? token = null;
        do
        {
            var page = await Timeline.ReadAsync(incidentId, IncidentStore.MaxPageSize, token, CancellationToken.None);
            events.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return events;
    }

    /// <summary>The emails MailDev received for this incident, in arrival order.</summary>
    public Task<IReadOnlyList<MailDevEmail>> EmailsAsync(string incidentId) => fixture.MailDev.EmailsAsync(incidentId);

    /// <summary>Waits until the orchestration's custom status is in <paramref name="phase"/> (and at <paramref name="level"/>, if given).</summary>
    public Task<LifecycleStatus> PhaseAsync(string incidentId, string phase, int? level = null, TimeSpan? timeout = null) =>
        Eventually.Get(
            async () =>
            {
                var instance = await Client.GetInstanceAsync(incidentId, getInputsAndOutputs: true);
                return instance?.SerializedCustomStatus is { } status ? JsonSerializer.Deserialize<LifecycleStatus>(status, JsonDefaults.Options) : null;
            },
            s => s is not null && s.Phase == phase && (level is null || s.Level == level),
            $"{incidentId} in phase '{phase}'" + (level is null ? string.Empty : $" at level {level}"),
            timeout);

    /// <summary>Waits for the orchestration to finish: after that, no further email can be sent for the incident.</summary>
    public async Task<OrchestrationMetadata> CompletedAsync(string incidentId)
    {
        using var cancel = new CancellationTokenSource(Eventually.DefaultTimeout);
        return await Client.WaitForInstanceCompletionAsync(incidentId, getInputsAndOutputs: true, cancel.Token);
    }

    public ValueTask DisposeAsync() => Durable.DisposeAsync();
}
