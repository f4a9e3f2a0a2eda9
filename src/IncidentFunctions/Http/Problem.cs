using System.Text.Json.Serialization;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Http;

/// <summary>An RFC 7807 problem document. <see cref="Errors"/> maps a field path to the rules it broke.</summary>
public sealed record Problem(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public const string ContentType = "application/problem+json";
    // Stable problem types, listed in docs/http-api.md under "Errors"; a URN because the project has no web site to point at.
    const string TypeBase = "urn:incidentfunctions:problem:";

    public JsonResponse ToResult() => new(this, Status, ContentType);

    public static Problem Validation(IReadOnlyList<FieldError> errors)
    {
        var byField = errors
            .GroupBy(e => e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        var first = errors[0];
        var more = errors.Count > 1 ? $" (and {errors.Count - 1} more)" : string.Empty;
        return new(TypeBase + "validation", "The request body is invalid.", StatusCodes.Status400BadRequest,
            $"{first.Field}: {first.Message}{more}", byField);
    }

    public static Problem MalformedJson(string detail) =>
        new(TypeBase + "malformed-json", "The request body is not valid JSON.", StatusCodes.Status400BadRequest,
            detail, Field("body", detail));

    public static Problem UnsupportedMediaType(string? actual) =>
        new(TypeBase + "content-type", "The request body must be JSON.", StatusCodes.Status415UnsupportedMediaType,
            $"Content-Type must be application/json, not '{actual ?? "(none)"}'.",
            Field("Content-Type", "must be application/json"));

    public static Problem TooLarge(long limit) =>
        new(TypeBase + "too-large", "The request body is too large.", StatusCodes.Status413PayloadTooLarge,
            $"The body exceeds {limit} bytes.", Field("body", $"must be at most {limit} bytes"));

    public static Problem UnknownIntegration(string integration) =>
        new(TypeBase + "unknown-integration", "Unknown integration.", StatusCodes.Status404NotFound,
            $"No integration named '{integration}' is configured.", Field("integration", "is not configured"));

    public static Problem BadSecret() =>
        new(TypeBase + "secret", "The integration secret is missing or wrong.", StatusCodes.Status401Unauthorized,
            "Send the integration's secret as 'Authorization: Bearer <secret>', 'X-Api-Key: <secret>' or '?key=<secret>'.",
            Field("secret", "is missing or does not match"));

    public static Problem BadSignature(string header, string rule) =>
        new(TypeBase + "signature", "The request signature is missing or invalid.", StatusCodes.Status401Unauthorized,
            $"{header}: {rule}.", Field(header, rule));

    public static Problem Unauthenticated() =>
        new(TypeBase + "unauthenticated", "Sign-in required.", StatusCodes.Status401Unauthorized,
            "This route needs a signed-in principal (App Service Authentication's X-MS-CLIENT-PRINCIPAL).",
            Field("X-MS-CLIENT-PRINCIPAL", "is missing or unreadable"));

    /// <summary>
    /// The same 401 as <see cref="Unauthenticated"/>, saying why a principal that was sent did not count: on a machine
    /// without App Service Authentication (`func start`), anyone could have written it.
    /// </summary>
    public static Problem UntrustedPrincipal(string setting) =>
        new(TypeBase + "unauthenticated", "Sign-in required.", StatusCodes.Status401Unauthorized,
            $"X-MS-CLIENT-PRINCIPAL was ignored: {setting} is not true, so nothing vouches that App Service Authentication set it.",
            Field("X-MS-CLIENT-PRINCIPAL", $"is ignored unless {setting} is true"));

    /// <summary>
    /// A signed-in caller without the permission a route needs. <paramref name="roles"/> are the app roles that hold it,
    /// <paramref name="held"/> what the caller holds, so the fix (an app role assignment) is plain.
    /// </summary>
    public static Problem Forbidden(string permission, IReadOnlyList<string> roles, string held) =>
        new(TypeBase + "forbidden", "Permission needed.", StatusCodes.Status403Forbidden,
            $"This needs the '{permission}' permission, which the app roles {string.Join(", ", roles)} hold; the caller has {held}.",
            Field("permission", $"'{permission}' is needed (app role {string.Join(" or ", roles)})"));

    /// <summary>
    /// A browser sent a change from another site's page (cross-site request forgery): the sign-in cookie rides along
    /// with any request a page makes, so a change must come from this app's own pages.
    /// </summary>
    public static Problem CrossSite(string header, string value) =>
        new(TypeBase + "cross-site", "Cross-site request refused.", StatusCodes.Status403Forbidden,
            $"{header} is '{value}': changes are accepted only from this app's own pages, or from clients that are not browsers.",
            Field(header, "must name this app's own origin"));

    public static Problem BadHeader(string header, string rule) =>
        new(TypeBase + "validation", "A request header is invalid.", StatusCodes.Status400BadRequest,
            $"{header}: {rule}", Field(header, rule));

    /// <summary>An idempotency key used again for a request with another body: the caller's retry logic is broken.</summary>
    public static Problem IdempotencyKeyReused(string header) =>
        new(TypeBase + "idempotency-key-reused", "The idempotency key was used for a different request.", StatusCodes.Status422UnprocessableEntity,
            $"{header} was first sent with another request body; a retry must send the same body, and a new request a new key.",
            Field(header, "was used with a different request body"));

    /// <summary>A retry that arrived while the first request with its idempotency key is still running.</summary>
    public static Problem IdempotentRequestInProgress(string header) =>
        new(TypeBase + "idempotency-in-progress", "A request with this idempotency key is still in progress.", StatusCodes.Status409Conflict,
            $"The first request with this {header} has not finished; retry after a moment to get its answer.",
            Field(header, "is in use by a request still in progress"));

    public static Problem NotFound(string what, string id) =>
        new(TypeBase + "not-found", $"{what} not found.", StatusCodes.Status404NotFound,
            $"No {what.ToLowerInvariant()} with id '{id}'.", Field("id", "does not exist"));

    /// <summary>
    /// A thing inside a visible incident that does not exist (a task, an evidence file, a timeline event): the 404 names
    /// its own field, so that a caller can tell it from the incident being missing (which names "id").
    /// </summary>
    public static Problem Missing(string what, string field, string id) =>
        new(TypeBase + "not-found", $"{what} not found.", StatusCodes.Status404NotFound,
            $"No {what.ToLowerInvariant()} with id '{id}' on this incident.", Field(field, "does not exist"));

    /// <summary>An edit of a task sent with an If-Match ETag the task no longer has.</summary>
    public static Problem StaleTaskETag(string header) =>
        new(TypeBase + "stale-etag", "The task changed since you read it.", StatusCodes.Status412PreconditionFailed,
            $"{header} does not match the task's current ETag; read it again and decide again.", Field(header, "is not the current ETag"));

    public static Problem BadQuery(string parameter, string rule) =>
        new(TypeBase + "validation", "The query string is invalid.", StatusCodes.Status400BadRequest,
            $"{parameter}: {rule}", Field(parameter, rule));

    public static Problem AlreadyResolved(string id, string? by, DateTimeOffset? at) =>
        new(TypeBase + "already-resolved", "The incident is already resolved.", StatusCodes.Status409Conflict,
            $"Incident {id} was resolved by {by} at {at:O}; there is nothing left to acknowledge.", Field("status", "is resolved"));

    /// <summary>An edit sent with an If-Match ETag the incident no longer has: someone changed it since the caller read it.</summary>
    public static Problem StaleETag(string header) =>
        new(TypeBase + "stale-etag", "The incident changed since you read it.", StatusCodes.Status412PreconditionFailed,
            $"{header} does not match the incident's current ETag; read it again and decide again.", Field(header, "is not the current ETag"));

    /// <summary>A change the incident's state does not allow (a stage out of order, a milestone before its predecessor).</summary>
    public static Problem Conflict(string field, string rule) =>
        new(TypeBase + "conflict", "The incident's state does not allow this change.", StatusCodes.Status409Conflict, $"{field}: {rule}", Field(field, rule));

    public static Problem Unavailable(string detail) =>
        new(TypeBase + "unavailable", "Temporarily unavailable; retry.", StatusCodes.Status503ServiceUnavailable, detail);

    static Dictionary<string, string[]> Field(string field, string rule) => new() { [field] = [rule] };
}

