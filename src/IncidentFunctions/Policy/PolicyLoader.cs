using Microsoft.Extensions.Hosting;

namespace IncidentFunctions.Policy;

/// <summary>
/// Loads the policy as the host starts, so an invalid policy stops the app from starting instead of failing the
/// first incident.
/// </summary>
public sealed class PolicyLoader(PolicyProvider provider) : IHostedLifecycleService
{
    // Starting, not Start: StartingAsync runs before every hosted service's StartAsync, including those registered
    // before the app's services, such as the Functions worker's connection to the host, so no function can run before
    // the policy is there.
    public Task StartingAsync(CancellationToken cancellationToken) => provider.LoadAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
