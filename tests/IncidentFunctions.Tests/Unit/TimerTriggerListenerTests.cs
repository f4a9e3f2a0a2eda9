using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The dev host's timer listener on a real host and clock, with a function scheduled every second whose first run
/// fails, whose second outlasts the next occurrence and whose third waits until it is cancelled.
/// </summary>
public sealed class TimerTriggerListenerTests
{
    static readonly TimeSpan LongRun = TimeSpan.FromMilliseconds(1300);

    /// <summary>What the function saw on each run, in order.</summary>
    static readonly ConcurrentQueue<Run> Runs = new();

    static int running;
    static int mostAtOnce;

    sealed record Run(TimeSpan StartedAt, TimeSpan EndedAt, TimerInfo Timer, bool Cancelled);

    static readonly Stopwatch Clock = new();

    /// <summary>The function the listener runs: no [Function] attribute, so no Functions SDK ever indexes it.</summary>
    internal static async Task Tick(TimerInfo timer, CancellationToken cancellationToken)
    {
        var startedAt = Clock.Elapsed;
        var now = Interlocked.Increment(ref running);
        InterlockedMax(ref mostAtOnce, now);
        var cancelled = false;
        try
        {
            switch (Runs.Count)
            {
                case 0:
                    throw new InvalidOperationException("the first run fails");
                case 1:
                    await Task.Delay(LongRun, CancellationToken.None);
                    break;
                default:
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        cancelled = true;
                        throw;
                    }

                    break;
            }
        }
        finally
        {
            Interlocked.Decrement(ref running);
            Runs.Enqueue(new Run(startedAt, Clock.Elapsed, timer, cancelled));
        }
    }

    [Fact]
    public async Task ATimerFunctionRunsOnItsScheduleOneRunAtATimeSurvivesAFailureAndIsCancelledWhenTheHostStops()
    {
        var method = typeof(TimerTriggerListenerTests).GetMethod(nameof(Tick), BindingFlags.NonPublic | BindingFlags.Static)!;
        var function = new FunctionDescriptor(nameof(Tick), method, TriggerKind.Timer, method.GetParameters()[0], new TimerTriggerAttribute("*/1 * * * * *"));
        var logs = new RecordingLoggerProvider();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IHostedService>(services =>
            ActivatorUtilities.CreateInstance<TimerTriggerListener>(services, function, TimerSchedule.Parse("*/1 * * * * *")));
        using var host = builder.Build();

        Clock.Start();
        await host.StartAsync();
        // The third run waits for cancellation, so it is still running when two have ended.
        await Eventually.Get(() => Task.FromResult<int?>(Runs.Count), n => n == 2 && Volatile.Read(ref running) == 1, "two runs ended and a third running", TimeSpan.FromSeconds(15));
        var stopping = Clock.Elapsed;
        await host.StopAsync();

        Assert.True(Clock.Elapsed - stopping < TimeSpan.FromSeconds(5), $"stopping took {Clock.Elapsed - stopping}");
        var runs = Runs.ToArray();
        Assert.Equal(3, runs.Length);
        Assert.Equal(1, mostAtOnce);
        Assert.True(runs[2].Cancelled);
        Assert.Single(logs.Messages, m => m.Level == LogLevel.Error && m.Text.Contains("Function Tick failed", StringComparison.Ordinal) && m.Text.Contains("the first run fails", StringComparison.Ordinal));

        // Each run is at a whole second; the occurrences that passed during the long run were skipped, not queued.
        Assert.All(runs, r => Assert.Equal(0, r.Timer.ScheduleStatus!.Next.Ticks % TimeSpan.TicksPerSecond));
        Assert.True(runs[1].Timer.ScheduleStatus!.Next > runs[0].Timer.ScheduleStatus!.Next);
        Assert.True(runs[2].StartedAt >= runs[1].EndedAt);
        Assert.True(runs[2].Timer.ScheduleStatus!.Next > runs[1].Timer.ScheduleStatus!.Next.AddSeconds(1));
        Assert.Equal(runs[1].Timer.ScheduleStatus!.Next, runs[2].Timer.ScheduleStatus!.Last);
    }

    static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}
