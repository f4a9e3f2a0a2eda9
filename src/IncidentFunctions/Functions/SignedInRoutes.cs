using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Responding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace IncidentFunctions.Functions;

/// <summary>
/// The steps every signed-in route takes, in one place and one order: admit the caller (401, 403, or a cross-site
/// change refused), then for a POST honour its Idempotency-Key (a retry gets the first answer and writes nothing twice),
/// then the route's own work. A change to one incident adds the incident's gate (404 when the caller may not see it,
/// 403 naming the permission), reads the body, hands both to one feature of Responding, and answers the incident with
/// its ETag. Access comes before the body, so a caller never learns what a body would have been told.
/// </summary>
public sealed class SignedInRoutes(SignIn signIn, IncidentGate gate, IdempotentRequests requests, TimeProvider time)
{
    /// <summary>A body reader: the request's JSON as <typeparamref name="T"/>, or the problem to answer instead.</summary>
    public delegate Task<(T? Request, Problem? Problem)> BodyReader<T>(HttpRequest request, CancellationToken ct) where T : class;

    /// <summary>
    /// The caller admitted with <paramref name="permission"/>, then <paramref name="handle"/>; a POST's Idempotency-Key is
    /// kept per caller under <paramref name="operation"/> (the function and the incident, say).
    /// </summary>
    public async Task<IActionResult> RunAsync(
        HttpRequest request, Permission permission, string operation, Func<Caller, Task<IActionResult>> handle, CancellationToken ct, int maxBodyBytes = RequestBody.MaxBytes)
    {
        if (!signIn.TryAdmit(request, permission, out var caller, out var refusal))
        {
            return refusal.ToResult();
        }

        return HttpMethods.IsPost(request.Method)
            ? await requests.RunAsync(request, caller.Key, operation, () => handle(caller), ct, maxBodyBytes)
            : await handle(caller);
    }

    /// <summary>
    /// A change to incident <paramref name="id"/> that needs <paramref name="permission"/> on it: any signed-in caller
    /// gets as far as the incident's gate, which decides (an incident's own commander may command it, whatever their app
    /// role); then the body (none when <paramref name="read"/> is null), then <paramref name="change"/>.
    /// </summary>
    public Task<IActionResult> ChangeAsync<T, TOutcome>(
        HttpRequest request, string function, string id, Permission permission, BodyReader<T>? read, Func<Caller, T?, Task<TOutcome>> change, CancellationToken ct)
        where T : class
        where TOutcome : IIncidentOutcome =>
        RunAsync(request, Permission.Read, $"{function}/{id}", async caller =>
        {
            if ((await gate.AdmitAsync(caller, permission, id, ct)).Refusal is { } refused)
            {
                return refused.ToResult();
            }

            T? body = null;
            if (read is not null)
            {
                (body, var unreadable) = await read(request, ct);
                if (unreadable is not null)
                {
                    return unreadable.ToResult();
                }
            }

            var outcome = await change(caller, body);
            return outcome.Refusal?.ToResult() ?? IncidentAnswers.Of(outcome.Incident!, time.GetUtcNow());
        }, ct);

    /// <summary>The body as a JSON value of its own (the document it came in is already released), for features that read their fields themselves.</summary>
    public static async Task<(JsonBody? Request, Problem? Problem)> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, ct);
        using (document)
        {
            return problem is not null ? (null, problem) : (new JsonBody(document!.RootElement.Clone()), null);
        }
    }

    /// <summary>A request body read as JSON (a class, so that it can be an absent body's null).</summary>
    public sealed record JsonBody(JsonElement Root);
}
