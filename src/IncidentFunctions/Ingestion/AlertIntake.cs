using Azure;
using IncidentFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Ingestion;

/// <summary>The request path of an alert webhook: authenticate, read, validate, enqueue, answer 202. No table I/O.</summary>
public sealed partial class AlertIntake(
    IntegrationAuthenticator authenticator,
    IOptionsMonitor<IntegrationOptions> integrations,
    AlertPayloads payloads,
    TimeProvider time,
    ILogger<AlertIntake> logger)
{
    public sealed record Accepted(string BatchId, IReadOnlyList<string> AlertIds, IReadOnlyList<string> DedupKeys);

    /// <summary>Accepts a webhook in the format the integration is configured for.</summary>
    public async Task<IActionResult> AcceptAsync(HttpRequest request, string integration, CancellationToken ct)
    {
        switch (authenticator.Authenticate(request, integration))
        {
            case IntegrationAuthenticator.Result.UnknownIntegration:
                return Problem.UnknownIntegration(integration).ToResult();
            case IntegrationAuthenticator.Result.BadSecret:
                LogBadSecret(logger, integration);
                return Problem.BadSecret().ToResult();
        }

        var (document, problem) = await RequestBody.ReadJsonAsync(request, ct);
        if (problem is not null)
        {
            return problem.ToResult();
        }

        using (document)
        {
            var receivedAt = time.GetUtcNow();
            var batchId = BatchIds.New(receivedAt);
            var parse = AlertFormats.For(integrations.CurrentValue.Items[integration].Format);
            var (alerts, errors) = parse(document!.RootElement, integration, batchId, receivedAt);
            if (errors.Count > 0)
            {
                return Problem.Validation(errors).ToResult();
            }

            try
            {
                await payloads.EnqueueAsync(new AlertBatch(batchId, integration, receivedAt, alerts), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Senders retry 5xx (Alertmanager only those): a storage hiccup must not lose the alert.
                LogEnqueueFailed(logger, e, integration, (e as RequestFailedException)?.Status ?? 0);
                return Problem.Unavailable("The alert queue is unavailable; retry.").ToResult();
            }

            LogAccepted(logger, batchId, alerts.Count, integration);
            return JsonResponse.Accepted(new Accepted(batchId, alerts.Select(a => a.Id).ToList(), alerts.Select(a => a.DedupKey).ToList()));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected alert for integration {Integration}: missing or wrong secret")]
    static partial void LogBadSecret(ILogger logger, string integration);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not enqueue alerts for {Integration} (storage status {Status})")]
    static partial void LogEnqueueFailed(ILogger logger, Exception e, string integration, int status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted batch {BatchId} with {Count} alerts from {Integration}")]
    static partial void LogAccepted(ILogger logger, string batchId, int count, string integration);
}

/// <summary>Batch ids sort by arrival and are unique without coordination: ticks in hex plus 32 random bits.</summary>
public static class BatchIds
{
    public static string New(DateTimeOffset now) =>
        $"{now.UtcTicks:x15}{System.Security.Cryptography.RandomNumberGenerator.GetHexString(8, lowercase: true)}";
}
