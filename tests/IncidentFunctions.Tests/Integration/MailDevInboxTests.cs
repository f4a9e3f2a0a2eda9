using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// The inbox address the dev host prints (and the README gives) opens a working inbox in a browser. MailDev 3's page
/// calls its REST API relative to the document's base URI, and MailDev injects the <c>&lt;base href&gt;</c> that makes
/// this work only into the page it serves for its root: a page opened at another path asks for
/// <c>{that path}/api/...</c> and shows "Failed to load emails".
/// </summary>
public sealed partial class MailDevInboxTests(MailDevFixture maildev) : IClassFixture<MailDevFixture>
{
    [Fact]
    public async Task ThePrintedInboxPageFindsTheEmailApi()
    {
        using var browser = new HttpClient();
        using var page = new HttpRequestMessage(HttpMethod.Get, maildev.Ports.Inbox);
        // What a browser sends: MailDev serves its page only to requests that accept HTML.
        page.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var pageResponse = await browser.SendAsync(page);
        pageResponse.EnsureSuccessStatusCode();
        var html = await pageResponse.Content.ReadAsStringAsync();

        using var api = await browser.GetAsync(EmailApiAsTheUiCallsIt(maildev.Ports.Inbox, html));

        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    /// <summary>
    /// MailDev 3's UI (@maildev/ui): <c>new URL(document.baseURI).pathname</c> without trailing slashes, plus
    /// <c>/api</c>. The document's base URI is the <c>&lt;base href&gt;</c> if the page has one, else the page's own URL.
    /// </summary>
    static Uri EmailApiAsTheUiCallsIt(Uri pageUrl, string html)
    {
        var baseTag = BaseHref().Match(html);
        var baseUri = baseTag.Success ? new Uri(pageUrl, baseTag.Groups["href"].Value) : pageUrl;
        return new Uri(pageUrl, baseUri.AbsolutePath.TrimEnd('/') + "/api/email");
    }

    [GeneratedRegex(""""<base\s+href="(?<href>[^"]*)"""", RegexOptions.IgnoreCase)]
    private static partial Regex BaseHref();
}
