using System.Globalization;
using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Functions;

/// <summary>
/// The console's declare page (a form for POST /api/incidents) and the leadership dashboard: admit, read, render, as
/// every console page. Declaring itself is the API's; the dashboard reads the status index (see <see cref="DashboardReader"/>).
/// </summary>
public sealed class ConsoleDashboardFunctions(ConsoleSignIn signIn, PageRenderer pages, ConsoleChoices choices, DashboardReader dashboard)
{
    [Function(nameof(ConsoleDeclare))]
    [ApiOperation("The console: declare an incident", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType, ResponseDescription = "The page (or a page saying why not, with the refusal's status).",
        Description = "The form behind POST /api/incidents, with the policy's services, categories and people as choices; for responders and up, as declaring is.")]
    public async Task<IActionResult> ConsoleDeclare(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleDeclare)] HttpRequest request)
    {
        var admission = await signIn.AdmitAsync(request, Permission.Respond);
        if (!admission.Admitted)
        {
            return admission.Refusal;
        }

        return await pages.PageAsync<DeclarePage>(StatusCodes.Status200OK, new Dictionary<string, object?>
        {
            [nameof(DeclarePage.Viewer)] = admission.Caller,
            [nameof(DeclarePage.Services)] = choices.Services,
            [nameof(DeclarePage.Categories)] = choices.Categories,
            [nameof(DeclarePage.People)] = choices.People,
        });
    }

    [Function(nameof(ConsoleDashboard))]
    [ApiOperation("The console: the leadership dashboard", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType, ResponseDescription = "The page (or a page saying why not, with the refusal's status).",
        Description = "Open incidents by priority and service, the last 30 or 90 days (query days) by week: incidents opened, time to acknowledge and to resolve " +
            "(median and 90th percentile; declined and merged left out), and the open incidents whose update is overdue. Of the incidents the viewer may see.")]
    public async Task<IActionResult> ConsoleDashboard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleDashboard)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var admission = await signIn.AdmitAsync(request, Permission.Read);
        if (!admission.Admitted)
        {
            return admission.Refusal;
        }

        var days = int.TryParse(request.Query[DashboardPage.DaysField], NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && DashboardFigures.Periods.Contains(asked)
            ? asked
            : DashboardFigures.Periods[0];
        var figures = await dashboard.FiguresAsync(admission.Caller, days, cancellationToken);
        return await pages.PageAsync<DashboardPage>(StatusCodes.Status200OK, new Dictionary<string, object?>
        {
            [nameof(DashboardPage.Viewer)] = admission.Caller,
            [nameof(DashboardPage.Figures)] = figures,
        });
    }
}
