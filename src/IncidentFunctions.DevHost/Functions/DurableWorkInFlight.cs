using Grpc.Core;
using Grpc.Core.Interceptors;
using P = Microsoft.DurableTask.Protobuf;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Counts the work items (orchestrator episodes, activities) the Durable worker has taken from the task hub server and
/// not yet completed or abandoned, as the worker's gRPC calls show them, so that a stopping dev host can let them finish
/// before it stops the worker (see DurableFunctions.TaskHubBootstrap).
/// </summary>
public sealed class DurableWorkInFlight : Interceptor
{
    int count;

    public int Count => Volatile.Read(ref count);

    /// <summary>
    /// True once nothing has been in flight for a moment; false if work still runs at the deadline. The moment covers
    /// a work item the server took from storage just before it stopped dispatching and is still sending.
    /// </summary>
    public async Task<bool> WaitUntilNoneAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var settle = TimeSpan.FromMilliseconds(100);
        var deadline = DateTime.UtcNow + timeout;
        DateTime? idleSince = null;
        // Polling is enough: this runs once, while the host stops, and local work items take milliseconds.
        while (true)
        {
            var now = DateTime.UtcNow;
            idleSince = Count > 0 ? null : idleSince ?? now;
            if (now - idleSince >= settle)
            {
                return true;
            }

            if (now >= deadline || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>The worker's stream of work items (GetWorkItems): each one that needs an answer is counted.</summary>
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        return new AsyncServerStreamingCall<TResponse>(
            new CountingReader<TResponse>(call.ResponseStream, this), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    /// <summary>The worker's answers: a completion or an abandonment that succeeded ends a work item.</summary>
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        return EndsWorkItem(request)
            ? new AsyncUnaryCall<TResponse>(CountWhenDoneAsync(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose)
            : call;
    }

    static bool NeedsAnswer(object? item) => item is P.WorkItem
    {
        RequestCase: P.WorkItem.RequestOneofCase.OrchestratorRequest or P.WorkItem.RequestOneofCase.ActivityRequest
            or P.WorkItem.RequestOneofCase.EntityRequest or P.WorkItem.RequestOneofCase.EntityRequestV2,
    };

    // A large orchestrator result comes in chunks: only the last one ends the work item. IsPartial is marked obsolete,
    // but the worker (1.27) still sets it on every chunk but the last.
#pragma warning disable CS0612
    static bool EndsWorkItem(object? request) => request is P.OrchestratorResponse { IsPartial: false }
        or P.ActivityResponse or P.EntityBatchResult
        or P.AbandonOrchestrationTaskRequest or P.AbandonActivityTaskRequest or P.AbandonEntityTaskRequest;
#pragma warning restore CS0612

    async Task<TResponse> CountWhenDoneAsync<TResponse>(Task<TResponse> response)
    {
        // A failed call is retried by the worker; one that fails for good leaves the item counted, and the wait for
        // it ends at its deadline.
        var result = await response;
        Interlocked.Decrement(ref count);
        return result;
    }

    sealed class CountingReader<T>(IAsyncStreamReader<T> inner, DurableWorkInFlight owner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = await inner.MoveNext(cancellationToken);
            if (more && NeedsAnswer(inner.Current))
            {
                Interlocked.Increment(ref owner.count);
            }

            return more;
        }
    }
}
