using IncidentFunctions.Http;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Ingestion;

/// <summary>The request path of an alert webhook: authenticate, read, validate, enqueue, answer 202. No table I/O.</summary>
public sealed partial class AlertIntake(
    IntegrationAuthenticator authenticator,
    IOptionsMonitor<IntegrationOptions> integrations,
    AlertHandoff handoff,
    StandardWebhooks webhooks,
    HmacSignatures hmac,
    TimeProvider time,
    ILogger<AlertIntake> logger)
{
    public sealed record Accepted(string BatchId, IReadOnlyList<string> AlertIds, IReadOnlyList<string> DedupKeys);

    /// <summary>
    /// Accepts a webhook in the format the integration is configured for. With <paramref name="lifecycle"/> the alerts are
    /// processed in this process as soon as they are queued (see <see cref="AlertHandoff"/>).
    /// </summary>
    public async Task<IActionResult> AcceptAsync(HttpRequest request, string integration, IIncidentLifecycle? lifecycle, CancellationToken ct)
    {
        var authentication = authenticator.Authenticate(request, integration);
        switch (authentication)
        {
            case IntegrationAuthenticator.Result.UnknownIntegration:
                return Problem.UnknownIntegration(integration).ToResult();
            case IntegrationAuthenticator.Result.BadSecret:
                LogBadSecret(logger, integration);
                return Problem.BadSecret().ToResult();
        }

        var (raw, readProblem) = await RequestBody.ReadAsync(request, ct);
        if (raw is null)
        {
            return readProblem!.ToResult();
        }

        var settings = integrations.CurrentValue.Items[integration];
        var receivedAt = time.GetUtcNow();
        string batchId;
        if (authentication == IntegrationAuthenticator.Result.SignatureRequired && settings.HmacSecrets.Count > 0)
        {
            if (hmac.Verify(request.Headers, raw, settings) is { } refused)
            {
                LogBadSignature(logger, integration, refused.Header, refused.Rule);
                return Problem.BadSignature(refused.Header, refused.Rule).ToResult();
            }

            batchId = BatchIds.New(receivedAt);
        }
        else if (authentication == IntegrationAuthenticator.Result.SignatureRequired)
        {
            var signed = webhooks.Verify(request.Headers, raw, settings.WebhookSecrets);
            if (!signed.IsValid)
            {
                LogBadSignature(logger, integration, signed.Header!, signed.Rule!);
                return Problem.BadSignature(signed.Header!, signed.Rule!).ToResult();
            }

            // A redelivery must yield the alert ids and receivedAt of the first delivery: the processor counts an alert
            // once per row key "alert-{receivedAt ticks}-{alert id}" and keys its timeline event by the same pair. Both
            // come from the signed headers, so no lookup is needed here: the batch id hashes (integration, webhook-id)
            // and receivedAt is the sender's webhook-timestamp, which is within the tolerance of our clock anyway.
            // Limit: a sender that re-signs a retry with a fresh timestamp gets a new receivedAt, so only re-sends of
            // the same signed delivery are recognised.
            receivedAt = signed.Timestamp;
            batchId = BatchIds.FromIdempotencyKey(integration, signed.WebhookId!, receivedAt);
        }
        else
        {
            batchId = BatchIds.New(receivedAt);
        }

        var (document, problem) = RequestBody.Parse(raw);
        if (problem is not null)
        {
            return problem.ToResult();
        }

        using (document)
        {
            var parse = AlertFormats.For(settings.Format);
            var (parsed, errors) = parse(document!.RootElement, integration, batchId, receivedAt);
            if (errors.Count > 0)
            {
                return Problem.Validation(errors).ToResult();
            }

            var alerts = parsed.Select(a => AlertGroups.Apply(a, settings.GroupBy)).ToList();

            if (!await handoff.EnqueueAsync(new AlertBatch(batchId, integration, receivedAt, alerts), lifecycle, ct))
            {
                return Problem.Unavailable("The alert queue is unavailable; retry.").ToResult();
            }

            LogAccepted(logger, batchId, alerts.Count, integration);
            return JsonResponse.Accepted(new Accepted(batchId, alerts.Select(a => a.Id).ToList(), alerts.Select(a => a.DedupKey).ToList()));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected alert for integration {Integration}: missing or wrong secret")]
    static partial void LogBadSecret(ILogger logger, string integration);

    // The header and the rule only: never the signature or the secret.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected alert for integration {Integration}: {Header} {Rule}")]
    static partial void LogBadSignature(ILogger logger, string integration, string header, string rule);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted batch {BatchId} with {Count} alerts from {Integration}")]
    static partial void LogAccepted(ILogger logger, string batchId, int count, string integration);
}

/// <summary>Batch ids sort by arrival and are unique without coordination: ticks in hex plus 32 random bits.</summary>
public static class BatchIds
{
    public static string New(DateTimeOffset now) =>
        $"{now.UtcTicks:x15}{System.Security.Cryptography.RandomNumberGenerator.GetHexString(8, lowercase: true)}";

    /// <summary>
    /// The same id for every delivery of one sender message: ticks in hex plus 64 bits of a hash of the integration
    /// (case-insensitive, as its name is) and the sender's idempotency key.
    /// </summary>
    public static string FromIdempotencyKey(string integration, string key, DateTimeOffset receivedAt)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{integration.ToLowerInvariant()}\n{key}"));
        return $"{receivedAt.UtcTicks:x15}{Convert.ToHexStringLower(hash, 0, 8)}";
    }
}
