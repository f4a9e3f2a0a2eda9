using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// How an orchestration publishes an incident's lifecycle events: one after another on a chain of their own (in order,
/// never holding up a page, a timer or a reminder), each through <see cref="LifecycleEventActivities.PublishLifecycleEvent"/>
/// with the plan's retries; one that still fails is logged and left on the timeline by the orchestration's own
/// recorder, so that the gap is on the record. The paging orchestration and the coordination orchestration both use it.
/// </summary>
public static class TransitionPublishing
{
    /// <summary>
    /// Publishes <paramref name="transition"/> once <paramref name="previous"/> (the chain so far) is done.
    /// <paramref name="recordFailure"/> gets the summary and data of the event.publish-failed timeline event.
    /// </summary>
    public static async Task AfterAsync(
        Task previous,
        TaskOrchestrationContext context,
        IncidentTransition transition,
        EventPublishingPlan plan,
        ILogger log,
        Func<string, Dictionary<string, string>, Task> recordFailure)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(recordFailure);
        await previous;
        try
        {
            await context.CallActivityAsync(
                nameof(LifecycleEventActivities.PublishLifecycleEvent),
                transition,
                TaskOptions.FromRetryPolicy(new RetryPolicy(
                    plan.MaxAttempts, plan.RetryInterval, backoffCoefficient: 2, maxRetryInterval: LifecycleEventOptions.MaxRetryInterval)));
        }
        catch (TaskFailedException e)
        {
            // Subscribers miss this event, but the incident goes on, and the gap is on the record.
            var type = LifecycleEventBuilder.TypeOf(transition.Kind);
            log.LogError("Publishing {Type} ({EventId}) for incident {IncidentId} failed after {Attempts} attempts: {Reason}",
                type, transition.EventId, transition.IncidentId, plan.MaxAttempts, e.FailureDetails.ErrorMessage);
            await recordFailure(
                $"Could not publish {type} after {plan.MaxAttempts} attempt(s): {e.FailureDetails.ErrorMessage}",
                new() { ["eventId"] = transition.EventId, ["type"] = type, ["attempts"] = plan.MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
    }
}
