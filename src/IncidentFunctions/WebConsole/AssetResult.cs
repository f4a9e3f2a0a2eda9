using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// A console asset's bytes. Its name changes whenever its bytes do, so a browser may keep it for good. Written
/// directly, like every result of this app, so that both hosts serve it the same way without MVC's executors.
/// </summary>
public sealed class AssetResult(ConsoleAssets.Asset asset) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        response.Headers.XContentTypeOptions = "nosniff";
        if (!HttpMethods.IsHead(context.HttpContext.Request.Method))
        {
            await response.Body.WriteAsync(asset.Bytes, context.HttpContext.RequestAborted);
        }
    }
}
