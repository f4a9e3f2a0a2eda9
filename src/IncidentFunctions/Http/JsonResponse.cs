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

    /// <summary>Headers the answer carries besides its content type (ETag, Location).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        await response.WriteAsJsonAsync(Body, Body.GetType(), JsonDefaults.Options, contentType, context.HttpContext.RequestAborted);
    }

    public static JsonResponse Ok(object body) => new(body, StatusCodes.Status200OK);

    public static JsonResponse Accepted(object body) => new(body, StatusCodes.Status202Accepted);

    /// <summary>The same answer with one more header.</summary>
    public JsonResponse With(string header, string value) =>
        new(Body, StatusCode, contentType) { Headers = new Dictionary<string, string>(Headers) { [header] = value } };

    public static JsonResponse Created(object body, string location) =>
        new(body, StatusCodes.Status201Created) { Headers = new Dictionary<string, string> { ["Location"] = location } };
}
