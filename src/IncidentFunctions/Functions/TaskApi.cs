using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Responding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Functions;

/// <summary>An incident's tasks: list, add, change. Each creation and change is on the incident's timeline.</summary>
public sealed class TaskApi(IncidentTasks tasks, SignedInRoutes routes, Coordinations coordinations)
{
    [Function(nameof(ListTasks))]
    [ApiOperation("An incident's tasks, in id order, each with the ETag a change of it sends in If-Match", ApiSecurity.SignedIn,
        Response = typeof(ResultPage<TaskListing>), Problems = [404])]
    public Task<IActionResult> ListTasks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.IncidentTasks)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        routes.RunAsync(request, Permission.Read, nameof(ListTasks), async caller =>
        {
            var (listed, refused) = await tasks.ListAsync(caller, id, cancellationToken);
            return refused?.ToResult() ?? JsonResponse.Ok(new ResultPage<TaskListing>(listed!, null));
        }, cancellationToken);

    [Function(nameof(CreateTask))]
    [ApiOperation("Add a task to an incident", ApiSecurity.SignedIn, Request = typeof(CreateTaskRequest), Response = typeof(TaskListing), Status = 201,
        Problems = [400, 404, 413, 415],
        Description = "The assignee is a policy person ({\"person\": id}) or an incident role ({\"role\": id}); link is http or https only. " +
            "The task's id derives from the Idempotency-Key when one is sent (a retry finds the same task), else it is new. " +
            "An incident has at most 500 tasks (409 past that). Recorded on the timeline as task.created.")]
    [IdempotencyKey]
    [ETag]
    public Task<IActionResult> CreateTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentTasks)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        routes.RunAsync(request, Permission.Respond, $"{nameof(CreateTask)}/{id}", async caller =>
        {
            var key = request.Headers.TryGetValue(IdempotentRequests.Header, out var values) ? values[0] : null;
            var outcome = await tasks.CreateAsync(caller, id, request, key, coordinations.For(durableClient), cancellationToken);
            return outcome.Refusal?.ToResult() ?? new JsonResponse(outcome.Task!, StatusCodes.Status201Created).With(IfMatch.ETagHeader, outcome.Task!.ETag);
        }, cancellationToken);

    [Function(nameof(ChangeTask))]
    [ApiOperation("Change a task: its status, title, assignee, due time or priority", ApiSecurity.SignedIn, Request = typeof(ChangeTaskRequest), Response = typeof(TaskListing),
        Problems = [400, 404, 409, 413, 415],
        Description = "Absent fields stay; null clears assignee or dueAt. Status moves: open and in-progress to any other; done, not-doing " +
            "and cancelled only back to open; not-doing needs a reason; a required task cannot be cancelled (a move the task's status " +
            "does not allow is a 409 naming status). If-Match takes the task's ETag (412 when it changed). Recorded as task.changed.")]
    [IfMatch]
    [ETag]
    public Task<IActionResult> ChangeTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = Routes.IncidentTask)] HttpRequest request,
        string id,
        string task,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        routes.RunAsync(request, Permission.Respond, nameof(ChangeTask), async caller =>
        {
            var outcome = await tasks.ChangeAsync(caller, id, task, IfMatch.Of(request), request, coordinations.For(durableClient), cancellationToken);
            return outcome.Refusal?.ToResult() ?? JsonResponse.Ok(outcome.Task!).With(IfMatch.ETagHeader, outcome.Task!.ETag);
        }, cancellationToken);
}
