using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.WebConsole;

/// <summary>A poll's answer when nothing changed since what the page shows: 204, no body, nothing kept by a cache.</summary>
public sealed class NothingChanged : IActionResult
{
    public static readonly NothingChanged Instance = new();

    public Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
