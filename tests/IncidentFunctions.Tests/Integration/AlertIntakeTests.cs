using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using IncidentFunctions.Http;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>The request path against a real queue (Azurite) that nothing drains, so its contents can be counted.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertIntakeTests(AzuriteFixture azurite) : IAsyncLifetime
{
    const string Integration = "intake";
    const string Secret = "intake-secret-0123456789";
    ServiceProvider services = null!;
    QueueClient queue = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [ConnectionNames.Storage] = azurite.ConnectionString,
                [$"Integrations:{Integration}:Secrets:0"] = Secret,
            })
            .Build();
        services = new ServiceCollection().AddLogging().AddIncidentServices(configuration).BuildServiceProvider();
        queue = azurite.Queues.GetQueueClient(QueueNames.Alerts);
        await queue.ClearMessagesAsync();
    }

    public async Task DisposeAsync()
    {
        await queue.ClearMessagesAsync();
        await services.DisposeAsync();
    }

    [Theory]
    [InlineData("{\"title\":\"t\",\"severity\":\"info\"", "application/json", Secret, 400)]
    [InlineData("[{\"title\":\"ok\",\"severity\":\"info\"},{\"severity\":\"info\"}]", "application/json", Secret, 400)]
    [InlineData("{\"title\":\"t\",\"severity\":\"info\"}", "text/plain", Secret, 415)]
    [InlineData("{\"title\":\"t\",\"severity\":\"info\"}", "application/json", "not-the-secret", 401)]
    public async Task RefusedRequestsEnqueueNothing(string body, string contentType, string secret, int status)
    {
        var result = await Post(body, contentType, secret, Integration);

        Assert.Equal(status, result.StatusCode);
        Assert.Equal(Problem.ContentType, result.ContentType);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task ConcurrentRequestsShareMessagesYetEachLandsWholeAndOnce()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Post($"[{{\"title\":\"a{i}\",\"severity\":\"info\",\"dedupKey\":\"k{i}\"}},{{\"title\":\"b{i}\",\"severity\":\"info\",\"dedupKey\":\"k{i}\"}}]",
                "application/json", Secret, Integration)));
        Assert.All(results, r => Assert.Equal(202, r.StatusCode));

        var batches = new List<AlertBatch>();
        var messages = 0;
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                messages++;
                batches.AddRange(await services.GetRequiredService<AlertPayloads>().ResolveAsync(AlertPayloads.Parse(message.Body.ToString()), CancellationToken.None));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        Assert.Equal(40, batches.Count);
        Assert.Equal(40, batches.Select(b => b.Id).Distinct().Count());
        Assert.All(batches, b => Assert.Equal(2, b.Alerts.Count));
        Assert.InRange(messages, 1, 40);
    }

    [Fact]
    public async Task ABatchTooLargeForAQueueMessageTravelsThroughABlob()
    {
        var description = new string('d', GenericAlertFormat.MaxDescription);
        var alerts = Enumerable.Range(0, 8).Select(i => new { title = $"big {i}", severity = "warning", description });
        var result = await Post(JsonSerializer.Serialize(alerts), "application/json", Secret, Integration);
        Assert.Equal(202, result.StatusCode);

        var message = Assert.Single((await queue.ReceiveMessagesAsync(32)).Value);
        var parsed = AlertPayloads.Parse(message.Body.ToString());
        Assert.NotNull(parsed.PayloadBlob);
        var batch = Assert.Single(await services.GetRequiredService<AlertPayloads>().ResolveAsync(parsed, CancellationToken.None));
        Assert.Equal(8, batch.Alerts.Count);
        Assert.All(batch.Alerts, a => Assert.Equal(description, a.Description));
    }

    async Task<(int StatusCode, string? ContentType)> Post(string body, string contentType, string secret, string integration)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Headers.Authorization = "Bearer " + secret;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Response.Body = new MemoryStream();
        var result = await services.GetRequiredService<AlertIntake>().AcceptAsync(context.Request, integration, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0]);
    }
}
