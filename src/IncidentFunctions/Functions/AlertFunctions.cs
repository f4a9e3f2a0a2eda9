using System.Text.Json;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Lifecycle;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Functions;

/// <summary>
/// Alerts in (HTTP, answered fast, then processed in this process at once) and alerts processed by the queue trigger
/// (the fallback, and the durable record). All only bind and delegate.
/// </summary>
public sealed class AlertFunctions(AlertIntake intake, PagerDutyIntake pagerDuty, AlertProcessor processor, IncidentLifecycles lifecycles)
{
    [Function(nameof(ReceiveAlerts))]
    [ApiOperation("Send alerts to an integration", ApiSecurity.IntegrationSecret, Request = typeof(JsonElement),
        RequestDescription = "Alerts in the integration's configured format: generic, alertmanager, grafana or azure-monitor (docs/integrations.md). At most 256 KiB.",
        Response = typeof(AlertIntake.Accepted), Status = 202, ResponseDescription = "Queued; each alert's id and dedup key, in the order sent.",
        Problems = [400, 404, 413, 415, 503])]
    public Task<IActionResult> ReceiveAlerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Alerts)] HttpRequest request,
        string integration,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        intake.AcceptAsync(request, integration, lifecycles.For(durableClient), cancellationToken);

    [Function(nameof(ReceivePagerDutyEvent))]
    [ApiOperation("Send an event in the PagerDuty Events API v2 format", ApiSecurity.RoutingKeyInBody, Request = typeof(JsonElement),
        RequestDescription = "A PagerDuty Events API v2 event (trigger, acknowledge or resolve), at most 512 KiB (docs/integrations.md).",
        Response = typeof(PagerDutyIntake.Answer), Status = 202, ResponseDescription = "Queued, with the event's dedup key.")]
    [ApiResponse(400, "The event is invalid (errors lists each field and rule), or its routing key matches no integration.", Type = typeof(PagerDutyIntake.Answer))]
    [ApiResponse(413, "The body is over 512 KiB.", Type = typeof(PagerDutyIntake.Answer))]
    [ApiResponse(415, "The body is not JSON.", Type = typeof(PagerDutyIntake.Answer))]
    [ApiResponse(503, "The queue is unavailable; retry.", Type = typeof(PagerDutyIntake.Answer))]
    public Task<IActionResult> ReceivePagerDutyEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PagerDutyEvents)] HttpRequest request,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        pagerDuty.AcceptAsync(request, lifecycles.For(durableClient), cancellationToken);

    [Function(nameof(ProcessAlerts))]
    public Task ProcessAlerts(
        [QueueTrigger(QueueNames.Alerts, Connection = ConnectionNames.Storage)] string message,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        processor.ProcessAsync(AlertPayloads.Parse(message), lifecycles.For(durableClient), cancellationToken);
}
