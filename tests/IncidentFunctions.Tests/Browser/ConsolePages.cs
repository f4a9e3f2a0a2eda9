using IncidentFunctions.WebConsole;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// The console's pages as a browser test sees them: where each lives and how to find its parts, so a test reads as
/// what a person does. A page that is added later (the incident page, declare, the dashboard) gets one of these.
/// </summary>
public abstract class ConsolePageObject(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    /// <summary>Opens <paramref name="path"/> and checks the status, so a refusal page never passes for the page itself.</summary>
    protected static async Task OpenAsync(IPage page, string path, int status = 200)
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        Assert.Equal(status, response.Status);
    }
}

/// <summary>The console's front page: the open incidents the viewer may see.</summary>
public sealed class IncidentsListPage(IPage page) : ConsolePageObject(page)
{
    public static async Task<IncidentsListPage> OpenAsync(IPage page)
    {
        await OpenAsync(page, ConsolePaths.Incidents);
        return new IncidentsListPage(page);
    }

    /// <summary>The incident's row, found by its id (the title may be anything an alert said).</summary>
    public ILocator Row(string incidentId) => Page.GetByRole(AriaRole.Row).Filter(new() { HasText = incidentId });

    /// <summary>The incident's priority badge (P1 ...) in its row, which is a card on a phone.</summary>
    public ILocator PriorityBadge(string incidentId) =>
        Page.Locator("#incident-list tbody tr").Filter(new() { HasText = incidentId }).Locator("td .badge").First;

    /// <summary>
    /// The open and acknowledged counts added up, and the rows shown, read at one moment (the live list may be replaced
    /// between two reads): unfiltered, both cover the same incidents, so a hidden incident counted shows as a difference.
    /// </summary>
    public async Task<(int Counted, int Shown)> CountedAndShownAsync()
    {
        var figures = await Page.EvaluateAsync<int[]>(
            """
            () => {
              const list = document.getElementById('incident-list');
              const counted = [...list.querySelectorAll('ul.counts li a strong')].reduce((sum, count) => sum + Number(count.textContent), 0);
              return [counted, list.querySelectorAll('tbody tr').length];
            }
            """);
        return (figures[0], figures[1]);
    }
}

/// <summary>The page an emailed acknowledge or resolve link opens: the incident, and one button that acts.</summary>
public sealed class LinkConfirmationPage(IPage page) : ConsolePageObject(page)
{
    public static async Task<LinkConfirmationPage> OpenAsync(IPage page, Uri link)
    {
        await OpenAsync(page, link.AbsoluteUri);
        return new LinkConfirmationPage(page);
    }

    /// <summary>A fact about the incident (Title, Priority, Status ...) by its name in the page's list.</summary>
    public ILocator Fact(string name) => Page.Locator("dt").Filter(new() { HasTextRegex = new($"^{name}$") }).Locator("xpath=following-sibling::dd[1]");

    public ILocator ActButton => Page.GetByRole(AriaRole.Button);
}

/// <summary>The leadership dashboard: open incidents now, the weeks of the period, and the updates overdue now.</summary>
public sealed class DashboardConsolePage(IPage page) : ConsolePageObject(page)
{
    public const string OverdueCaption = "Incidents that breached their update cadence";

    public static async Task<DashboardConsolePage> OpenAsync(IPage page)
    {
        await OpenAsync(page, ConsolePaths.Dashboard);
        return new DashboardConsolePage(page);
    }

    /// <summary>The charts' figures, each drawn by dashboard.js into its canvas.</summary>
    public ILocator Charts => Page.Locator("figure[data-chart]");

    /// <summary>The canvases uPlot drew: as many as <see cref="Charts"/> once the page's script has run.</summary>
    public ILocator DrawnCharts => Page.Locator("figure[data-chart] canvas");

    /// <summary>The incident's row among the overdue updates (none while its updates are on time).</summary>
    public ILocator Overdue(string incidentId) =>
        Page.GetByRole(AriaRole.Table, new() { Name = OverdueCaption }).GetByRole(AriaRole.Row).Filter(new() { HasText = incidentId });
}
