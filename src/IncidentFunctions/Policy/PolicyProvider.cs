using System.Text;
using Azure;
using Azure.Storage.Blobs;
using IncidentFunctions.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Policy;

/// <summary>
/// The policy the app loaded and validated on start (<see cref="PolicyLoader"/>). It is read once: an edit takes
/// effect on restart, and an incident keeps the escalation it was triaged with.
/// </summary>
public sealed partial class PolicyProvider(IOptions<PolicyOptions> options, BlobServiceClient blobs, ILogger<PolicyProvider> logger)
{
    volatile IncidentPolicy? current;

    public IncidentPolicy Current => current ?? throw new InvalidOperationException(
        $"The incident policy is not loaded yet. {nameof(PolicyLoader)} loads it when the host starts, before any " +
        $"function runs; outside a host, call {nameof(PolicyProvider)}.{nameof(LoadAsync)} first.");

    /// <summary>Reads the policy from the configured source, validates it and makes it <see cref="Current"/>.</summary>
    /// <exception cref="InvalidPolicyException">The policy breaks one or more rules; all of them are listed.</exception>
    /// <exception cref="InvalidOperationException">The file or blob cannot be read.</exception>
    public async Task<IncidentPolicy> LoadAsync(CancellationToken cancellationToken)
    {
        var (source, content) = await ReadAsync(options.Value, cancellationToken);
        IncidentPolicy policy;
        try
        {
            policy = PolicyParser.Parse(content, source);
        }
        catch (InvalidPolicyException e)
        {
            LogInvalid(logger, e.PolicySource, e.Errors.Count, e);
            throw;
        }

        current = policy;
        var counts = policy.Counts;
        LogLoaded(logger, policy.Version, policy.Source, counts.People, counts.Teams, counts.EscalationPolicies, counts.Services, counts.Routes);
        return policy;
    }

    async Task<(string Source, ReadOnlyMemory<byte> Content)> ReadAsync(PolicyOptions settings, CancellationToken cancellationToken)
    {
        if (PolicyOptions.IsSet(settings.Path))
        {
            var path = Path.GetFullPath(settings.Path, AppContext.BaseDirectory);
            try
            {
                return (path, await File.ReadAllBytesAsync(path, cancellationToken));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"{PolicyOptions.PathSetting}: cannot read the policy file. {e.Message}", e);
            }
        }

        if (PolicyOptions.IsSet(settings.Json))
        {
            return (PolicyOptions.JsonSetting, Encoding.UTF8.GetBytes(settings.Json));
        }

        var (container, name) = PolicyOptions.BlobLocation(settings.Blob)
            ?? throw new InvalidOperationException($"The incident policy: set exactly one of {PolicyOptions.Choices}.");
        var blob = blobs.GetBlobContainerClient(container).GetBlobClient(name);
        try
        {
            var download = await blob.DownloadContentAsync(cancellationToken);
            return (blob.Uri.ToString(), download.Value.Content.ToMemory());
        }
        catch (RequestFailedException e)
        {
            throw new InvalidOperationException(
                $"{PolicyOptions.BlobSetting}: cannot read the policy blob {blob.Uri} ({e.Status} {e.ErrorCode}).", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Incident policy {PolicyVersion} loaded from {PolicySource}: {People} people, {Teams} teams, {EscalationPolicies} escalation policies, {Services} services, {Routes} routes")]
    static partial void LogLoaded(ILogger logger, string policyVersion, string policySource, int people, int teams, int escalationPolicies, int services, int routes);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Incident policy from {PolicySource} is invalid ({ErrorCount} errors); the app will not start")]
    static partial void LogInvalid(ILogger logger, string policySource, int errorCount, Exception exception);
}
