using System.Reflection;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Links;
using IncidentFunctions.Model;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using static IncidentFunctions.Tests.Unit.LinkTestKit;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The headers of every HTML page the app serves. All HTML goes through <see cref="HtmlPage"/>, and these tests render
/// every page an emailed link can open (the strictest policy: no script), so a new link page or a new HTML result type
/// fails here until it has the headers.
/// </summary>
public sealed class HtmlPageTests
{
    /// <summary>Every page a link can open, by name: each refusal, not found, each confirmation and each outcome.</summary>
    static readonly IReadOnlyDictionary<string, Func<Task<HtmlPage>>> Pages = EnumeratePages();

    static Dictionary<string, Func<Task<HtmlPage>>> EnumeratePages()
    {
        var signer = Signer(new ManualClock(Start));
        LinkGrant Grant(LinkAction action)
        {
            var (id, route, token) = Parse(signer.CreateUrl(IncidentId, "alice", action));
            return signer.Verify(id, route, token).Grant!;
        }

        var pages = new Dictionary<string, Func<Task<HtmlPage>>>();
        foreach (var status in Enum.GetValues<LinkStatus>().Where(s => s != LinkStatus.Valid))
        {
            pages[$"{nameof(LinkPages.RefusedAsync)} {status}"] = () =>
                LinkPageRenderer.RefusedAsync(new LinkVerification(status, IncidentId, "acknowledge", signer.IncidentUrl(IncidentId), "alice", Start.AddHours(24)));
        }

        pages[nameof(LinkPages.NotFoundAsync)] = () => LinkPageRenderer.NotFoundAsync(IncidentId);
        foreach (var action in Enum.GetValues<LinkAction>())
        {
            foreach (var status in Enum.GetValues<IncidentStatus>())
            {
                pages[$"{nameof(LinkPages.ConfirmAsync)} {action} {status}"] = () => LinkPageRenderer.ConfirmAsync(Grant(action), Incident(status));
            }

            foreach (var outcome in Enum.GetValues<TransitionOutcome>())
            {
                var incident = outcome == TransitionOutcome.NotFound ? null : Incident(IncidentStatus.Resolved);
                pages[$"{nameof(LinkPages.OutcomeAsync)} {action} {outcome}"] = () =>
                    LinkPageRenderer.OutcomeAsync(Grant(action), new TransitionResult(outcome, incident, "bob", Channels.Api, Start));
            }
        }

        return pages;
    }

    static IncidentEntity Incident(IncidentStatus status) => new()
    {
        PartitionKey = IncidentId,
        Title = "Checkout p99 latency above 2s",
        Severity = "Critical",
        Status = status.ToString(),
        AlertCount = 1,
    };

    public static TheoryData<string, string> EveryPageByMethod()
    {
        var data = new TheoryData<string, string>();
        foreach (var page in Pages.Keys)
        {
            data.Add(page, "GET");
            data.Add(page, "HEAD");
        }

        return data;
    }

    /// <summary>
    /// Nothing may frame a page (its one button acts: clickjacking), cache, index or refer on it, sniff it as something
    /// else, or run script in it. X-Frame-Options is for browsers that predate CSP's frame-ancestors.
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryPageByMethod))]
    public async Task EveryPageRefusesFramingCachingIndexingReferrersAndSniffing(string page, string method)
    {
        var rendered = await Execute(Pages[page](), method);

        Assert.Equal(HtmlPage.ContentType, rendered.Headers.ContentType.ToString());
        Assert.Equal("DENY", rendered.Headers.XFrameOptions.ToString());
        Assert.Equal(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            rendered.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", rendered.Headers.XContentTypeOptions.ToString());
        Assert.Equal("no-referrer", rendered.Headers["Referrer-Policy"].ToString());
        Assert.Equal("no-store", rendered.Headers.CacheControl.ToString());
        Assert.Equal("noindex", rendered.Headers["X-Robots-Tag"].ToString());
        if (method == "GET")
        {
            Assert.StartsWith("<!doctype html>", rendered.Body, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>A new way to make a link page fails here until <see cref="Pages"/> renders it (and so checks its headers).</summary>
    [Fact]
    public void ThePagesAboveCoverEveryWayToMakeAPage()
    {
        var makers = typeof(LinkPages).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType == typeof(Task<HtmlPage>))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            makers,
            Pages.Keys.Select(k => $"{nameof(LinkPages)}.{k.Split(' ')[0]}").Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// HTML has one result type, so its headers have one home: any other result type the app defines must be one that
    /// writes JSON, or the idempotency record's answer, which replays the status, headers and bytes another result
    /// wrote (so it adds no headers of its own but Idempotent-Replayed), or the evidence download, which is never HTML:
    /// application/octet-stream as an attachment, nosniff; a console asset (a stylesheet or script of the app's own, by
    /// its content-hashed name); and a redirect to a path of this site, which has no body. A new HTML result type fails
    /// here; send its pages through <see cref="HtmlPage"/> instead.
    /// </summary>
    [Fact]
    public void TheAppsOnlyResultTypesAreHtmlPageAndJson()
    {
        var results = typeof(HtmlPage).Assembly.GetTypes()
            .Where(t => !t.IsInterface && (typeof(IActionResult).IsAssignableFrom(t) || typeof(IResult).IsAssignableFrom(t)))
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            [typeof(AttachmentResult).FullName, typeof(HtmlPage).FullName, $"{typeof(IdempotentRequests).FullName}+KeptAnswer", typeof(JsonResponse).FullName,
                typeof(RedirectResponse).FullName, typeof(WebConsole.AssetResult).FullName,

                // A poll's 204: no body, so no page headers to carry.
                typeof(WebConsole.NothingChanged).FullName],
            results);
    }
}
