using System.Text.Json.Serialization;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// The request path of <c>POST /api/v2/enqueue</c>, answering as the PagerDuty Events API v2 does so that its clients
/// (Alertmanager's pagerduty_config among them) retry exactly when they should: 202 with the dedup key; 400 with
/// <c>errors</c> for an event that will never be accepted; 503 when the queue is unavailable, which they retry.
/// </summary>
public sealed partial class PagerDutyIntake(
    IntegrationAuthenticator authenticator,
    AlertHandoff handoff,
    TimeProvider time,
    ILogger<PagerDutyIntake> logger)
{
    /// <summary>The Events API's answer body.</summary>
    public sealed record Answer(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("dedup_key")] string? DedupKey = null,
        [property: JsonPropertyName("errors")] IReadOnlyList<string>? Errors = null);

    /// <summary>Accepts an Events API event; with <paramref name="lifecycle"/> it is processed as soon as it is queued (see <see cref="AlertHandoff"/>).</summary>
    public async Task<IActionResult> AcceptAsync(HttpRequest request, IIncidentLifecycle? lifecycle, CancellationToken ct)
    {
        var (raw, readProblem) = await RequestBody.ReadAsync(request, ct, PagerDutyEvents.MaxBytes);
        if (raw is null)
        {
            return Invalid(readProblem!);
        }

        var (document, parseProblem) = RequestBody.Parse(raw);
        if (parseProblem is not null)
        {
            return Invalid(parseProblem);
        }

        var receivedAt = time.GetUtcNow();
        var batchId = BatchIds.New(receivedAt);
        using (document)
        {
            var (parsed, errors) = PagerDutyEvents.Parse(document!.RootElement, $"{batchId}-0", receivedAt);
            if (parsed is null)
            {
                return Invalid(StatusCodes.Status400BadRequest, errors.Select(e => $"{e.Field}: {e.Message}").ToArray());
            }

            if (authenticator.FindByRoutingKey(parsed.RoutingKey) is not { } integration)
            {
                LogUnknownRoutingKey(logger);
                return Invalid(StatusCodes.Status400BadRequest, "routing_key: does not match any integration");
            }

            var alert = parsed.Alert with { Integration = integration };
            if (!await handoff.EnqueueAsync(new AlertBatch(batchId, integration, receivedAt, [alert]), lifecycle, ct))
            {
                return new JsonResponse(new Answer("unavailable", "The event queue is unavailable; retry."), StatusCodes.Status503ServiceUnavailable);
            }

            LogAccepted(logger, parsed.Action, integration, batchId);
            return JsonResponse.Accepted(new Answer("success", "Event processed", alert.DedupKey));
        }
    }

    /// <summary>A body that could not be read or parsed, in the Events API's shape: "field: rule" per error.</summary>
    static JsonResponse Invalid(Problem problem) => Invalid(
        problem.Status,
        problem.Errors?.SelectMany(e => e.Value.Select(rule => $"{e.Key}: {rule}")).ToArray() ?? [problem.Detail]);

    static JsonResponse Invalid(int status, params string[] errors) =>
        new(new Answer("invalid event", "Event object is invalid", Errors: errors), status);

    // Never the routing key itself: it is the integration's secret.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected an Events API event: its routing key matches no pagerduty integration")]
    static partial void LogUnknownRoutingKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted a {Action} event for {Integration} as batch {BatchId}")]
    static partial void LogAccepted(ILogger logger, string action, string integration, string batchId);
}
