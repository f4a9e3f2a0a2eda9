using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.Http;

/// <summary>Which scripts and styles a page may load; the rest of its headers are the same for every page.</summary>
public enum PagePolicy
{
    /// <summary>A responder link's page: its token is in the URL and it acts on one button, so it runs no script at all.</summary>
    Link,

    /// <summary>A console page: the app's own stylesheet and scripts (htmx, the console's script), nothing inline, nothing from elsewhere.</summary>
    Console,
}

/// <summary>
/// An HTML page the app serves: the one result type for HTML, so that every page gets the same headers from this one
/// place. No cache, search index or referred site may keep a page (a responder link's token is in its URL; the console
/// shows incidents); no other site may frame one and trick a click onto its buttons (clickjacking: frame-ancestors for
/// current browsers, X-Frame-Options for those that predate it); forms post only to this app.
/// </summary>
public sealed class HtmlPage(int statusCode, string html, PagePolicy policy = PagePolicy.Link) : IActionResult
{
    public const string ContentType = "text/html; charset=utf-8";

    static readonly Dictionary<string, string> Headers = new()
    {
        ["Cache-Control"] = "no-store",
        ["Referrer-Policy"] = "no-referrer",
        ["X-Robots-Tag"] = "noindex",
        ["X-Frame-Options"] = "DENY",
        ["X-Content-Type-Options"] = "nosniff",
    };

    const string Common = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static string ContentSecurityPolicyOf(PagePolicy policy) => policy switch
    {
        PagePolicy.Link => Common,
        _ => Common + "; script-src 'self'; connect-src 'self'",
    };

    public int StatusCode { get; } = statusCode;

    public string Html { get; } = html;

    public PagePolicy Policy { get; } = policy;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        var body = Encoding.UTF8.GetBytes(Html);
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        response.Headers.ContentSecurityPolicy = ContentSecurityPolicyOf(Policy);

        // HEAD gets exactly the headers GET would, without the body.
        if (!HttpMethods.IsHead(context.HttpContext.Request.Method))
        {
            await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
        }
    }
}
