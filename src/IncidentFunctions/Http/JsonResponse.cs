using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.Http;

/// <summary>
/// Writes a JSON body with our serializer settings. Implemented directly on <see cref="HttpResponse"/> so that
/// results do not depend on MVC's formatter pipeline, which neither host otherwise needs.
/// </summary>
public sealed class JsonResponse(object body, int statusCode, string contentType = "application/json") : IActionResult
{
    public object Body { get; } = body;

    public int StatusCode { get; } = statusCode;

    /// <summary>The version of what the body shows, sent as the ETag header for a later If-Match.</summary>
    public string? ETag { get; init; }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        if (ETag is not null)
        {
            response.Headers[IfMatch.ETagHeader] = ETag;
        }

        await response.WriteAsJsonAsync(Body, Body.GetType(), JsonDefaults.Options, contentType, context.HttpContext.RequestAborted);
    }

    public static JsonResponse Ok(object body) => new(body, StatusCodes.Status200OK);

    public static JsonResponse Accepted(object body) => new(body, StatusCodes.Status202Accepted);

    public static JsonResponse Created(object body) => new(body, StatusCodes.Status201Created);
}
