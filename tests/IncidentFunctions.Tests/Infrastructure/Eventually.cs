namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline, never on a fixed sleep.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<T> Get<T>(Func<Task<T?>> probe, Func<T?, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await probe();
            if (done(last))
            {
                return last!;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out after {timeout ?? DefaultTimeout} waiting for {what}; last seen: {last}");
    }

    public static Task<T> Get<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class =>
        Get(probe, v => v is not null, what, timeout);
}
