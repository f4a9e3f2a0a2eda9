using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Responding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Functions;

/// <summary>Evidence on an incident: a file (the raw request body) or a link, and the download of a file.</summary>
public sealed class EvidenceApi(IncidentEvidence files, SignedInRoutes routes, Coordinations coordinations)
{
    [Function(nameof(AddEvidence))]
    [ApiOperation("Add evidence: a file (the request body, any content type) or a link (JSON {url, title})", ApiSecurity.SignedIn,
        Request = typeof(EvidenceLinkRequest), RequestMayBeFile = true, Response = typeof(RecordedEntry), Status = 201, Problems = [400, 404, 413],
        RequestDescription = "A JSON body is a link (http or https); any other body, or any body with ?fileName=, is the file itself. " +
            "A file is at most Evidence:MaxBytes (10 MiB by default; 413 and nothing stored above it).",
        Description = "The evidence.added event records the file's SHA-256, size, content type, safe file name and who added it; " +
            "data.evidence is the id to download it by. The evidence id derives from the Idempotency-Key when one is sent.")]
    [ApiQuery(IncidentEvidence.FileNameQuery, "The file's name; only letters, digits, '.', '-', '_' and spaces of its last path segment are kept.")]
    [IdempotencyKey]
    public Task<IActionResult> AddEvidence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentEvidence)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        routes.RunAsync(request, Permission.Respond, $"{nameof(AddEvidence)}/{id}", async caller =>
        {
            var key = request.Headers.TryGetValue(IdempotentRequests.Header, out var values) ? values[0] : null;
            var outcome = await files.AddAsync(caller, id, request, key, coordinations.For(durableClient), cancellationToken);
            return outcome.Refusal?.ToResult() ?? new JsonResponse(outcome.Value!, StatusCodes.Status201Created);
        }, cancellationToken, (int)Math.Max(files.MaxBytes, RequestBody.MaxBytes));

    [Function(nameof(GetEvidenceFile))]
    [ApiOperation("Download an evidence file", ApiSecurity.SignedIn, ResponseMediaType = "application/octet-stream", Problems = [404],
        ResponseDescription = "The file, always as an attachment (application/octet-stream, nosniff): never shown inline.")]
    public Task<IActionResult> GetEvidenceFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.IncidentEvidenceFile)] HttpRequest request,
        string id,
        string evidence,
        CancellationToken cancellationToken) =>
        routes.RunAsync(request, Permission.Read, nameof(GetEvidenceFile), async caller =>
        {
            var (file, refused) = await files.OpenAsync(caller, id, evidence, cancellationToken);
            return refused is not null ? refused.ToResult() : new AttachmentResult(file!.Content, file.FileName, file.Size);
        }, cancellationToken);
}
