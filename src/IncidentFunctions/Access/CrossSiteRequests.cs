using IncidentFunctions.Http;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Access;

/// <summary>
/// Cross-site request forgery: in Azure the sign-in is a cookie, which a browser sends with any request to the app,
/// including a form another site's page submits. A change is refused when the browser says the request came from a
/// page of another site: Sec-Fetch-Site (every current browser sends it) or, failing that, an Origin that is not this
/// app's. Reads are safe to serve (they change nothing, and the same-origin policy keeps their answers from the
/// other site), and so are clients that are not browsers, which send neither header and carry no ambient cookie. The
/// API's bodies are JSON besides, which a plain cross-site form cannot send.
/// </summary>
public static class CrossSiteRequests
{
    public const string FetchSiteHeader = "Sec-Fetch-Site";

    public static Problem? Refusal(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }

        // "none" is a request the person made themselves (typed, bookmarked), never one a page made.
        var site = request.Headers[FetchSiteHeader].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none" ? null : Problem.CrossSite(FetchSiteHeader, site);
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || IsThisApp(origin, request) ? null : Problem.CrossSite("Origin", origin);
    }

    static bool IsThisApp(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
