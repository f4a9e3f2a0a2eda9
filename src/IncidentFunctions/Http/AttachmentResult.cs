using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.Http;

/// <summary>
/// A file as a download and nothing else: application/octet-stream, Content-Disposition attachment, nosniff, and a
/// sandboxing Content-Security-Policy, so that a browser never renders what a person uploaded (an HTML file, an SVG
/// with a script) in the app's origin. <paramref name="fileName"/> must already be safe for a header (ASCII, no quotes).
/// </summary>
public sealed class AttachmentResult(Stream content, string fileName, long size) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = size;
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        response.Headers.CacheControl = "private, no-store";
        await using (content)
        {
            await content.CopyToAsync(response.Body, context.HttpContext.RequestAborted);
        }
    }
}
