using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// A responder's night, end to end on the dev host: the alert pages alice by email (MailDev), she opens the emailed
/// Acknowledge link, confirms, and escalation stops; resolving tells everyone who was paged.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed partial class DevHostLifecycleTests(DevHostFixture fixture)
{
    [Fact]
    public async Task AnEmailedAcknowledgeLinkOnlyConfirmsOnGetActsOnPostAndStopsEscalation()
    {
        var key = TestAlerts.NewKey("ack-link");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Payments error rate above 5%"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        var page = (await Eventually.Get(() => fixture.EmailsAsync(incident.Id)!, e => e!.Count >= 1, "alice's page")).Single();
        Assert.True(page.IsTo(fixture.Policy.Email("alice")));
        Assert.StartsWith("[P1]", page.Subject);
        var link = AcknowledgeLink(page, incident.Id);

        // Mail scanners fetch links: GET and HEAD show a confirmation page and change nothing.
        using var http = new HttpClient();
        using var get = await http.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var confirmation = await get.Content.ReadAsStringAsync();
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, link));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(IncidentStatus.Open, (await fixture.FindIncidentAsync(key))!.Status);

        // The responder presses the page's button: its form posts.
        var action = new Uri(link, WebUtility.HtmlDecode(FormAction().Match(confirmation).Groups["action"].Value));
        using var post = await http.PostAsync(action, new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var acknowledged = (await fixture.FindIncidentAsync(key))!;
        Assert.Equal(IncidentStatus.Acknowledged, acknowledged.Status);
        Assert.Equal("alice", acknowledged.AcknowledgedBy);

        // Acting twice is harmless and says who acted first.
        using var again = await http.PostAsync(action, new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("alice", await again.Content.ReadAsStringAsync());

        await using var durable = fixture.DurableClient();
        await Eventually.Get(() => durable.GetInstanceAsync(incident.Id, getInputsAndOutputs: true),
            i => i?.SerializedCustomStatus?.Contains(LifecyclePhases.Acknowledged, StringComparison.Ordinal) == true, "the orchestration acknowledged");
        using var resolve = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/resolve"));
        Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        Assert.Equal("applied", (await resolve.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        await Eventually.Get(() => durable.GetInstanceAsync(incident.Id), i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed, "the orchestration to complete");

        // The orchestration has ended, so the inbox now holds every email this incident will ever send: no level 2.
        var emails = await fixture.EmailsAsync(incident.Id);
        Assert.Equal(["page", "resolved"], emails.Select(e => e.Header(NotificationHeaders.Kind)));
        Assert.All(emails, e => Assert.True(e.IsTo(fixture.Policy.Email("alice"))));
        Assert.DoesNotContain(emails, e => e.Header(NotificationHeaders.Level) == "2");

        var steps = (await fixture.TimelineAsync(incident.Id)).Select(e => e.Type == TimelineEventTypes.NotificationSent ? $"{e.Type}:{e.Data!["kind"]}" : e.Type).ToList();
        Assert.Equal(
            [
                TimelineEventTypes.AlertReceived, TimelineEventTypes.IncidentOpened, TimelineEventTypes.IncidentTriaged, TimelineEventTypes.IncidentRouted,
                "notification.sent:page", TimelineEventTypes.IncidentAcknowledged, TimelineEventTypes.IncidentResolved, "notification.sent:resolved",
            ],
            steps);
        var timeline = await fixture.TimelineAsync(incident.Id);
        var ack = timeline.Single(e => e.Type == TimelineEventTypes.IncidentAcknowledged);
        Assert.Equal(("alice", Channels.EmailLink), (ack.Actor, ack.Channel));
        var resolved = timeline.Single(e => e.Type == TimelineEventTypes.IncidentResolved);
        Assert.Equal(("responder@example.com", Channels.Api), (resolved.Actor, resolved.Channel));
    }

    [Fact]
    public async Task TamperedOrForeignLinksAreRefusedAndChangeNothing()
    {
        var key = TestAlerts.NewKey("bad-link");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Queue depth above 10k"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        var page = (await Eventually.Get(() => fixture.EmailsAsync(incident.Id)!, e => e!.Count >= 1, "alice's page")).Single();
        var link = AcknowledgeLink(page, incident.Id).ToString();

        using var http = new HttpClient();
        // Change a character inside the token (the last one may only hold padding bits).
        var at = link.IndexOf("token=", StringComparison.Ordinal) + "token=".Length + 5;
        var tampered = link[..at] + (link[at] == 'A' ? 'B' : 'A') + link[(at + 1)..];
        var otherAction = link.Replace("/acknowledge?", "/resolve?", StringComparison.Ordinal);
        var otherIncident = link.Replace(incident.Id, IncidentIds.New(DateTimeOffset.UtcNow), StringComparison.Ordinal);
        foreach (var bad in new[] { tampered, otherAction, otherIncident })
        {
            using var post = await http.PostAsync(bad, new FormUrlEncodedContent([]));
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
            Assert.StartsWith("text/html", post.Content.Headers.ContentType?.ToString());
        }

        Assert.Equal(IncidentStatus.Open, (await fixture.FindIncidentAsync(key))!.Status);
        using var resolve = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/resolve"));
        Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
    }

    [Fact]
    public async Task ActingOnAnIncidentNeedsASignedInResponder()
    {
        var key = TestAlerts.NewKey("anon");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Anonymous ack attempt"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");

        using var anonymous = await fixture.Http.PostAsync($"incidents/{incident.Id}/acknowledge", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var unknown = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{IncidentIds.New(DateTimeOffset.UtcNow)}/acknowledge"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(Problem.ContentType, unknown.Content.Headers.ContentType?.MediaType);

        using var first = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/acknowledge"));
        using var second = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/acknowledge"));
        Assert.Equal("applied", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        var repeated = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("alreadyDone", repeated.GetProperty("outcome").GetString());
        Assert.Equal("responder@example.com", repeated.GetProperty("actedBy").GetString());

        using var resolve = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/resolve"));
        using var lateAck = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/acknowledge"));
        Assert.Equal(HttpStatusCode.Conflict, lateAck.StatusCode);
    }

    [Fact]
    public async Task ARetriedAcknowledgementWithItsIdempotencyKeyGetsTheFirstAnswerAndActsOnce()
    {
        var key = TestAlerts.NewKey("idempotent");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Retried acknowledgement"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        var idempotencyKey = Guid.NewGuid().ToString();
        HttpRequestMessage Acknowledge(string? body = null, string caller = "responder@example.com")
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"incidents/{incident.Id}/acknowledge");
            request.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode(caller));
            request.Headers.Add(IdempotentRequests.Header, idempotencyKey);
            if (body is not null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            return request;
        }

        using var first = await fixture.Http.SendAsync(Acknowledge());
        using var retry = await fixture.Http.SendAsync(Acknowledge());
        using var otherBody = await fixture.Http.SendAsync(Acknowledge("""{"note":"another request"}"""));
        using var otherCaller = await fixture.Http.SendAsync(Acknowledge(caller: "someone-else@example.com"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retry.StatusCode));
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal("applied", JsonDocument.Parse(firstBody).RootElement.GetProperty("outcome").GetString());
        Assert.Equal("true", retry.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.Equal(Problem.ContentType, otherBody.Content.Headers.ContentType?.MediaType);
        // The key is the first caller's: another caller's request with it runs, and finds the incident acknowledged.
        Assert.Equal("alreadyDone", (await otherCaller.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Single(await fixture.TimelineAsync(incident.Id), e => e.Type == TimelineEventTypes.IncidentAcknowledged);
    }

    /// <summary>The recipient's Acknowledge link, as the email's plain-text part carries it.</summary>
    static Uri AcknowledgeLink(MailDevEmail email, string incidentId)
    {
        var match = Regex.Match(email.Text ?? string.Empty, $@"https?://\S+/respond/{Regex.Escape(incidentId)}/acknowledge\?token=[A-Za-z0-9_\-]+");
        Assert.True(match.Success, $"no acknowledge link in:\n{email.Text}");
        return new Uri(match.Value);
    }

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormAction();
}
