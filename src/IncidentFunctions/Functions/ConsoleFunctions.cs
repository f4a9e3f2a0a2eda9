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
public sealed class ConsoleFunctions(ConsoleSignIn signIn, PageRenderer pages, IncidentListReader list, ConsoleChoices choices)
{
    [Function(nameof(ConsoleIncidents))]
    [ApiOperation("The console: incidents", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType, ResponseDescription = "The page (or a page saying why not, with the refusal's status).",
        Description = "Open and acknowledged incidents (or one status, or all recent ones) the viewer may see, filtered by the query: status, stage, priority, service, category, mine.")]
    public async Task<IActionResult> ConsoleIncidents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Console)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var admission = await signIn.AdmitAsync(request, Permission.Read);
        if (!admission.Admitted)
        {
            return admission.Refusal;
        }

        var listing = await list.ListAsync(IncidentListFilter.From(request.Query), admission.Caller, cancellationToken);
        return await pages.PageAsync<IncidentsPage>(StatusCodes.Status200OK, new Dictionary<string, object?>
        {
            [nameof(IncidentsPage.Viewer)] = admission.Caller,
            [nameof(IncidentsPage.Listing)] = listing,
            [nameof(IncidentsPage.Services)] = choices.Services,
            [nameof(IncidentsPage.Categories)] = choices.Categories,
        });
    }

    [Function(nameof(ConsoleIncidentRows))]
    [ApiOperation("The console: the incidents list's live part", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType,
        ResponseDescription = "The list's counts and rows as HTML, or 204 when nothing the viewer sees changed since the token in the query (v).",
        Description = "The list page polls it with its filters and the token it shows: one point read (the index's revision) when nothing was written since, else the same index rows as the page read again and compared.")]
    public async Task<IActionResult> ConsoleIncidentRows(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleIncidentRows)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var admission = await signIn.AdmitAsync(request, Permission.Read);
        if (!admission.Admitted)
        {
            return admission.Refusal;
        }

        var listing = await list.ChangedSinceAsync(IncidentListFilter.From(request.Query), admission.Caller, request.Query[IncidentListFilter.VersionField], cancellationToken);
        return listing is null
            ? NothingChanged.Instance
            : await pages.FragmentAsync<IncidentList>(new Dictionary<string, object?> { [nameof(IncidentList.Listing)] = listing });
    }

    [Function(nameof(ConsoleAsset))]
    [ApiOperation("A console asset (stylesheet, script) under its content-hashed name", ApiSecurity.Anonymous, ResponseMediaType = "application/octet-stream",
        Description = "Public by decision: the email links' pages, which need no sign-in, use the same stylesheet, and the files hold nothing but the app's own code.")]
    public IActionResult ConsoleAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleAsset)] HttpRequest request,
        string file) =>
        ConsoleAssets.Embedded.Find(file) is { } asset ? new AssetResult(asset) : new NotFoundResult();
}
