using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.Http;

/// <summary>
/// An HTML page the app serves: the one result type for HTML, so that every page gets the same headers from this one
/// place. A responder link's token is in the page's URL, so no cache, search index or referred site may keep it; the
/// page runs no script and may post forms only to this app.
/// </summary>
public sealed class HtmlPage(int statusCode, string html) : IActionResult
{
    public const string ContentType = "text/html; charset=utf-8";

    // A page's one button acts, so no other site may frame it and trick a click onto it (clickjacking):
    // frame-ancestors for current browsers, X-Frame-Options for those that predate it.
    static readonly Dictionary<string, string> Headers = new()
    {
        ["Cache-Control"] = "no-store",
        ["Referrer-Policy"] = "no-referrer",
        ["X-Robots-Tag"] = "noindex",
        ["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ["X-Frame-Options"] = "DENY",
        ["X-Content-Type-Options"] = "nosniff",
    };

    public int StatusCode { get; } = statusCode;

    public string Html { get; } = html;

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

        // HEAD gets exactly the headers GET would, without the body.
        if (!HttpMethods.IsHead(context.HttpContext.Request.Method))
        {
            await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
        }
    }
}
