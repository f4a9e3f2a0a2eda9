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
    public Task<IActionResult> ReceiveAlerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Alerts)] HttpRequest request,
        string integration,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        intake.AcceptAsync(request, integration, lifecycles.For(durableClient), cancellationToken);

    [Function(nameof(ReceivePagerDutyEvent))]
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
