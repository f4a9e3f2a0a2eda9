using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Validation;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Responding;

/// <summary>
/// Reads the JSON body of a change request into its record with one <see cref="FieldReader"/>: the record, or the
/// problem+json naming every broken field (or the body's own fault: not JSON, too large, empty).
/// </summary>
public static class ChangeRequests
{
    public static async Task<(T? Request, Problem? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class, IChangeRequest<T>
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            var fields = new FieldReader();
            return T.Read(document!.RootElement, fields) is { } body ? (body, null) : (null, Problem.Validation(fields.Errors));
        }
    }
}

/// <summary>A change request's record that reads itself from a JSON body, naming each broken field.</summary>
public interface IChangeRequest<TSelf>
    where TSelf : class
{
    static abstract TSelf? Read(JsonElement body, FieldReader fields);
}
