using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.Http;

/// <summary>A 302 to a path of this site (the sign-in, a page after a form), written directly like every result here.</summary>
public sealed class RedirectResponse(string location) : IActionResult
{
    public string Location { get; } = location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal)
        ? location
        : throw new ArgumentException("Only a path of this site: an absolute URL here could send a person anywhere.", nameof(location));

    public Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = Location;
        response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
