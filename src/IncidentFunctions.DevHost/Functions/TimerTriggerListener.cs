using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Runs one timer-triggered function on its schedule with the Functions host's semantics: occurrences count from when
/// the host has started (RunOnStartup adds one run then, and is off by default); one run at a time, so an occurrence
/// that passes while a run is still going is skipped, not queued; a failed run is logged and the next occurrence kept.
/// Once the host begins stopping no run starts, and a run in progress is cancelled through its CancellationToken.
/// The function gets a <see cref="TimerInfo"/>: IsPastDue when a run starts after the following occurrence was already
/// due (the machine slept, say), and a ScheduleStatus (Last: the previous occurrence run, Next: this one) that the dev
/// host keeps in memory, where the Functions host keeps it in storage across restarts.
/// </summary>
public sealed partial class TimerTriggerListener(
    FunctionDescriptor function,
    TimerSchedule schedule,
    IServiceProvider services,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<TimerTriggerListener> logger) : BackgroundService
{
    /// <summary>The clock is read again at least this often, so that a machine that slept runs a due timer on waking.</summary>
    static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);

    readonly Func<IServiceProvider, CancellationToken, IReadOnlyDictionary<string, object?>?, object?>?[] binders = Binders(function);

    DateTime Now => time.GetUtcNow().UtcDateTime;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        if (!await WhenAsync(lifetime.ApplicationStarted, ct))
        {
            return;
        }

        var status = new ScheduleStatus { Next = schedule.NextAfter(Now) };
        LogListening(logger, function.Name, schedule.Expression, status.Next);
        if (function.Timer.RunOnStartup)
        {
            await RunAsync(new TimerInfo { ScheduleStatus = status }, ct);
        }

        var lastDue = Now;
        while (!ct.IsCancellationRequested)
        {
            // Never before the occurrence just run, however early a timer fires; after a long run, the next one from now.
            var due = schedule.NextAfter(Now > lastDue ? Now : lastDue);
            if (!await WaitUntilAsync(due, ct))
            {
                break;
            }

            status = new ScheduleStatus { Last = status.Last, Next = due, LastUpdated = status.LastUpdated };
            await RunAsync(new TimerInfo { ScheduleStatus = status, IsPastDue = Now >= schedule.NextAfter(due) }, ct);
            status = new ScheduleStatus { Last = due, Next = schedule.NextAfter(due), LastUpdated = Now };
            lastDue = due;
        }
    }

    async Task RunAsync(TimerInfo timer, CancellationToken ct)
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            var arguments = binders.Select(b => b is null ? timer : b(scope.ServiceProvider, ct, null)).ToArray();
            await function.InvokeAsync(function.CreateTarget(scope.ServiceProvider), arguments);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopping: the run was cancelled, and the next start runs on schedule again.
        }
        catch (Exception e)
        {
            LogFailed(logger, e, function.Name, e.Message);
        }
    }

    async Task<bool> WaitUntilAsync(DateTime due, CancellationToken ct)
    {
        try
        {
            for (var left = due - Now; left > TimeSpan.Zero; left = due - Now)
            {
                await Task.Delay(left < LongestWait ? left : LongestWait, time, ct);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>True once <paramref name="happened"/> is cancelled (a host lifetime event); false if <paramref name="ct"/> is first.</summary>
    static async Task<bool> WhenAsync(CancellationToken happened, CancellationToken ct)
    {
        var signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onHappened = happened.Register(() => signal.TrySetResult(true));
        using var onCancelled = ct.Register(() => signal.TrySetResult(false));
        return await signal.Task;
    }

    static Func<IServiceProvider, CancellationToken, IReadOnlyDictionary<string, object?>?, object?>?[] Binders(FunctionDescriptor function)
    {
        if (function.Trigger.ParameterType != typeof(TimerInfo))
        {
            throw new NotSupportedException(
                $"Function {function.Name}: parameter '{function.Trigger.Name}' of its timer trigger must be a {nameof(TimerInfo)}; it is a {function.Trigger.ParameterType.Name}.");
        }

        return function.Method.GetParameters().Select(p => p == function.Trigger ? null : ParameterBinding.For(function, p)).ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {Function} runs on schedule {Schedule} (UTC); next at {Next:u}")]
    static partial void LogListening(ILogger logger, string function, string schedule, DateTime next);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed; it runs again at its next occurrence: {Reason}")]
    static partial void LogFailed(ILogger logger, Exception e, string function, string reason);
}
