using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Responding;

namespace IncidentFunctions.Functions;

/// <summary>
/// How every route that reads or changes one incident answers with it: the same view (the incident with the time it
/// spent at each severity) and its ETag, the value a later If-Match sends back.
/// </summary>
internal static class IncidentAnswers
{
    public static JsonResponse Of(IncidentEntity incident, DateTimeOffset now, string? location = null)
    {
        var view = IncidentViews.Of(incident, now);
        return (location is null ? JsonResponse.Ok(view) : JsonResponse.Created(view, location)).With(IfMatch.ETagHeader, incident.ETag.ToString());
    }
}
