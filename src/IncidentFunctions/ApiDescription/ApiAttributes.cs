using IncidentFunctions.Http;

namespace IncidentFunctions.ApiDescription;

// What an HTTP function's trigger cannot say about itself, declared next to it: the OpenAPI document (ApiDocument) reads
// these together with the trigger (route, methods) and the route template (path parameters). Everything else in the
// document is derived; nothing about a route is written down a second time.

/// <summary>How a caller proves who it is on a route. Every HTTP function names one: there is no default.</summary>
public enum ApiSecurity
{
    /// <summary>A user signed in through App Service Authentication, which sets the principal header.</summary>
    SignedIn,

    /// <summary>An integration's secret (bearer token, X-Api-Key or ?key=), or its signature when it is configured to sign.</summary>
    IntegrationSecret,

    /// <summary>The PagerDuty Events API's routing key, inside the body: no OpenAPI security scheme describes that.</summary>
    RoutingKeyInBody,

    /// <summary>The HMAC-signed token of an emailed responder link.</summary>
    LinkToken,

    /// <summary>Nobody: the route is public by decision (say why where it is declared).</summary>
    Anonymous,
}

/// <summary>
/// An HTTP function's entry in the OpenAPI document. Problems lists the statuses answered with problem+json beyond those
/// the security and the header attributes imply (401 for <see cref="ApiSecurity.SignedIn"/> and
/// <see cref="ApiSecurity.IntegrationSecret"/>, 409 and 422 for <see cref="IdempotencyKeyAttribute"/>, 412 for
/// <see cref="IfMatchAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute(string summary, ApiSecurity security) : Attribute
{
    public string Summary { get; } = summary;

    public ApiSecurity Security { get; } = security;

    public string? Description { get; set; }

    /// <summary>The C# type of the JSON body the function reads; JsonElement for a body read as raw JSON.</summary>
    public Type? Request { get; set; }

    public string? RequestDescription { get; set; }

    /// <summary>The body may also be any bytes of any content type (a file), besides the JSON of <see cref="Request"/>.</summary>
    public bool RequestMayBeFile { get; set; }

    /// <summary>The C# type of the JSON body of the success answer; null for an answer that is not JSON (see <see cref="ResponseMediaType"/>).</summary>
    public Type? Response { get; set; }

    public int Status { get; set; } = 200;

    public string ResponseMediaType { get; set; } = "application/json";

    public string? ResponseDescription { get; set; }

    public int[] Problems { get; set; } = [];
}

/// <summary>An answer other than the success and the problem+json ones: an HTML page, or an error in a peer API's own shape.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute(int status, string description) : Attribute
{
    public int Status { get; } = status;

    public string Description { get; } = description;

    /// <summary>The C# type of the JSON body; null with an HTML <see cref="MediaType"/>.</summary>
    public Type? Type { get; set; }

    public string MediaType { get; set; } = "application/json";
}

/// <summary>A query parameter the function reads. Its name is a constant the function's own code uses too.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public Type Type { get; set; } = typeof(string);
}

/// <summary>
/// The route accepts an Idempotency-Key header: a retry with the same key and body gets the first answer, the same key
/// with another body a 422, a duplicate still in progress a 409.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotencyKeyAttribute : Attribute
{
    public const string Header = IdempotentRequests.Header;
    public const int MaxLength = IdempotentRequests.MaxKeyLength;
}

/// <summary>The route edits the incident and takes If-Match with the ETag a read returned: a stale one is a 412.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IfMatchAttribute : Attribute;

/// <summary>The success answer carries an ETag header, the value a later If-Match sends back.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ETagAttribute : Attribute;
