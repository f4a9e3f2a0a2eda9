using System.Text.Json;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Functions;

/// <summary>
/// The API's OpenAPI document. Anonymous by decision, in Azure too (infra excludes the route from App Service
/// Authentication): monitoring senders that hold only an integration secret need it as much as signed-in users, and it
/// holds only what the open-source code says (routes, types, schemes), never a setting, an integration or a secret.
/// </summary>
public sealed class ApiDocumentFunctions(ApiDocument document)
{
    [Function(nameof(GetApiDocument))]
    [ApiOperation("The OpenAPI 3.1 document of this API", ApiSecurity.Anonymous,
        Response = typeof(JsonElement), ResponseDescription = "This document, generated from the code that serves it.")]
    public IActionResult GetApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ApiDocument)] HttpRequest request) =>
        JsonResponse.Ok(document.Json);
}
