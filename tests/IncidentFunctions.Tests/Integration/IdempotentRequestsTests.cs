using System.Text;
using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.Unit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;
using static IncidentFunctions.Tests.Unit.LinkTestKit;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// Idempotency-Key on Azurite's requests table: a retry gets the first answer without running again; another body with
/// the key is a 422, a retry while the first runs a 409; keys are the caller's own; refusals to retry are not kept.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IdempotentRequestsTests(AzuriteFixture azurite)
{
    readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    readonly string key = "key-" + Guid.NewGuid().ToString("N");
    int runs;

    IdempotentRequests Requests => new(azurite.Tables, clock, NullLogger<IdempotentRequests>.Instance);

    static HttpRequest Post(string? key, string body = "")
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.ContentType = "application/json";
        request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        if (key is not null)
        {
            request.Headers[IdempotentRequests.Header] = key;
        }

        return request;
    }

    /// <summary>A handler that counts its runs and answers with the run's number, reading the body as a handler would.</summary>
    async Task<IActionResult> Act(HttpRequest request, int status = 200)
    {
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        var run = Interlocked.Increment(ref runs);
        return new JsonResponse(new { run, body }, status);
    }

    async Task<RenderedPage> Send(string? key, string body = "", string caller = "alice", string operation = "AcknowledgeIncident/INC-1", int status = 200)
    {
        var request = Post(key, body);
        return await Execute(await Requests.RunAsync(request, caller, operation, () => Act(request, status), CancellationToken.None), "POST");
    }

    static int Run(RenderedPage page) => JsonDocument.Parse(page.Body).RootElement.GetProperty("run").GetInt32();

    static void AssertProblemNamingTheHeader(RenderedPage page, int status)
    {
        Assert.Equal(status, page.StatusCode);
        Assert.Equal(Problem.ContentType, page.Headers.ContentType.ToString());
        Assert.True(JsonDocument.Parse(page.Body).RootElement.GetProperty("errors").TryGetProperty(IdempotentRequests.Header, out _), page.Body);
    }

    [Fact]
    public async Task ARetryGetsTheFirstAnswerAndDoesNotRunAgain()
    {
        var first = await Send(key, """{"note":"x"}""");
        var retry = await Send(key, """{"note":"x"}""");

        Assert.Equal(1, runs);
        Assert.Equal((200, first.Body), (retry.StatusCode, retry.Body));
        Assert.Equal("""{"run":1,"body":"{\u0022note\u0022:\u0022x\u0022}"}""", retry.Body);
        Assert.Equal("application/json", retry.Headers.ContentType.ToString());
        Assert.Equal("true", retry.Headers[IdempotentRequests.ReplayedHeader].ToString());
        Assert.False(first.Headers.ContainsKey(IdempotentRequests.ReplayedHeader));
    }

    [Fact]
    public async Task WithoutAKeyEveryRequestRuns()
    {
        await Send(key: null);
        var second = await Send(key: null);

        Assert.Equal(2, Run(second));
    }

    [Fact]
    public async Task TheSameKeyWithAnotherBodyIs422AndDoesNotRun()
    {
        await Send(key, """{"note":"x"}""");

        var other = await Send(key, """{"note":"y"}""");

        AssertProblemNamingTheHeader(other, 422);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task ARetryWhileTheFirstStillRunsIs409AndThenGetsTheAnswer()
    {
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var firstRequest = Post(key);
        var first = Requests.RunAsync(firstRequest, "alice", "ResolveIncident/INC-1", async () =>
        {
            started.SetResult();
            await release.Task;
            return await Act(firstRequest);
        }, CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var during = await Send(key, operation: "ResolveIncident/INC-1");
        release.SetResult();
        var answer = await Execute(await first.WaitAsync(TimeSpan.FromSeconds(30)), "POST");
        var after = await Send(key, operation: "ResolveIncident/INC-1");

        AssertProblemNamingTheHeader(during, 409);
        Assert.Equal((1, 1), (runs, Run(answer)));
        Assert.Equal(answer.Body, after.Body);
    }

    [Fact]
    public async Task KeysAreEachCallersOwnAndEachOperationsOwn()
    {
        await Send(key, caller: "alice");
        var bob = await Send(key, caller: "bob");
        var otherIncident = await Send(key, caller: "alice", operation: "AcknowledgeIncident/INC-2");

        Assert.Equal((2, 3), (Run(bob), Run(otherIncident)));
        Assert.Equal(1, Run(await Send(key, caller: "alice")));
    }

    [Fact]
    public async Task AnAnswerThatSaysTryAgainIsNotKept()
    {
        var unavailable = await Send(key, status: 503);
        var retry = await Send(key);

        Assert.Equal((503, 200), (unavailable.StatusCode, retry.StatusCode));
        Assert.Equal(2, Run(retry));
    }

    [Fact]
    public async Task ARequestThatFailedIsForgottenSoItsRetryRuns()
    {
        var request = Post(key);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Requests.RunAsync(request, "alice", "AcknowledgeIncident/INC-1", () => throw new InvalidOperationException("storage down"), CancellationToken.None));

        Assert.Equal(1, Run(await Send(key)));
    }

    [Fact]
    public async Task AKeyIsKeptForADayAndThenIsNew()
    {
        await Send(key, """{"a":1}""");
        clock.Now += IdempotentRequests.KeptFor - TimeSpan.FromSeconds(1);
        var withinADay = await Send(key, """{"a":1}""");
        clock.Now += TimeSpan.FromSeconds(2);
        var later = await Send(key, """{"b":2}""");

        Assert.Equal((1, 2), (Run(withinADay), Run(later)));
    }

    [Fact]
    public async Task AnInProgressRecordLeftByAStoppedProcessIsTakenOverByTheNextRetry()
    {
        var started = new TaskCompletionSource();
        var abandoned = Requests.RunAsync(Post(key), "alice", "AcknowledgeIncident/INC-1", () =>
        {
            started.SetResult();
            return new TaskCompletionSource<IActionResult>().Task;
        }, CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stillRunning = await Send(key);
        clock.Now += IdempotentRequests.AbandonedAfter;
        var retry = await Send(key);

        Assert.Equal(409, stillRunning.StatusCode);
        Assert.Equal((200, 1), (retry.StatusCode, Run(retry)));
        Assert.False(abandoned.IsCompleted);
    }

    [Fact]
    public async Task HousekeepingDeletesRecordsPastTheirDayAndKeepsTheRest()
    {
        await Send(key, caller: "old");
        clock.Now += IdempotentRequests.KeptFor + TimeSpan.FromSeconds(1);
        var fresh = "fresh-" + key;
        await Send(fresh, caller: "new");

        // Other tests' records may be due too; the cap is high enough for all of them.
        var deleted = await Requests.PurgeExpiredAsync(int.MaxValue, () => false, CancellationToken.None);

        Assert.True(deleted >= 1);
        Assert.Equal(0, await RecordsOf("old"));
        Assert.Equal(1, await RecordsOf("new"));
        Assert.Equal(2, Run(await Send(fresh, caller: "new")));
    }

    [Fact]
    public async Task HousekeepingStopsWhenToldTo()
    {
        await Send(key, caller: "stopped");
        clock.Now += IdempotentRequests.KeptFor + TimeSpan.FromSeconds(1);

        Assert.Equal(0, await Requests.PurgeExpiredAsync(int.MaxValue, () => true, CancellationToken.None));
        Assert.Equal(1, await RecordsOf("stopped"));
    }

    /// <summary>The records of a caller (whose name only this test uses), by the partition the component keys them by.</summary>
    async Task<int> RecordsOf(string caller)
    {
        var partition = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(caller)));
        var count = 0;
        await foreach (var _ in azurite.Tables.GetTableClient(TableNames.Requests).QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == partition))
        {
            count++;
        }

        return count;
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("naïve")]
    public async Task AKeyThatIsNotVisibleAsciiIsRefusedNamingTheHeader(string bad)
    {
        AssertProblemNamingTheHeader(await Send(bad), 400);
        AssertProblemNamingTheHeader(await Send(new string('k', IdempotentRequests.MaxKeyLength + 1)), 400);
        Assert.Equal(0, runs);
        Assert.Equal(200, (await Send(key.PadRight(IdempotentRequests.MaxKeyLength, 'k'))).StatusCode);
    }
}
