using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.WebConsole;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Functions;

/// <summary>
/// The web console's pages: HTML rendered here from the same stores and the same access rules as the API, whose
/// routes their forms call. Each admits the viewer (the sign-in, or a page saying why not), reads, and renders.
/// </summary>
public sealed class ConsoleFunctions(ConsoleSignIn signIn, PageRenderer pages, IncidentStore incidents)
{
    const int ListSize = 100;

    [Function(nameof(ConsoleIncidents))]
    [ApiOperation("The console: incidents", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType, ResponseDescription = "The page (or a page saying why not, with the refusal's status).")]
    public async Task<IActionResult> ConsoleIncidents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Console)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var admission = await signIn.AdmitAsync(request, Permission.Read);
        if (!admission.Admitted)
        {
            return admission.Refusal;
        }

        var listed = await incidents.ListAsync(IndexEntity.BucketOf(IncidentStatus.Open), ListSize, null, cancellationToken);
        var visible = listed.Items.Where(i => IncidentAccess.CanSee(admission.Caller, IncidentAccessFacts.Of(i))).Select(i => i.Summary).ToList();
        return await pages.PageAsync<IncidentsPage>(StatusCodes.Status200OK, new Dictionary<string, object?>
        {
            [nameof(IncidentsPage.Viewer)] = admission.Caller,
            [nameof(IncidentsPage.Incidents)] = visible,
        });
    }

    [Function(nameof(ConsoleAsset))]
    [ApiOperation("A console asset (stylesheet, script) under its content-hashed name", ApiSecurity.Anonymous, ResponseMediaType = "application/octet-stream",
        Description = "Public by decision: the email links' pages, which need no sign-in, use the same stylesheet, and the files hold nothing but the app's own code.")]
    public IActionResult ConsoleAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleAsset)] HttpRequest request,
        string file) =>
        ConsoleAssets.Embedded.Find(file) is { } asset ? new AssetResult(asset) : new NotFoundResult();
}
