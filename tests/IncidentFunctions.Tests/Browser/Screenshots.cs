using IncidentFunctions.DevHost.Local;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// Full-page screenshots of the console for docs/screenshots, taken by the browser tests when CONSOLE_SCREENSHOTS=1
/// (never in CI: the pictures hold whatever the run created). docs/console.md has the command that refreshes them.
/// </summary>
public static class Screenshots
{
    public const string Variable = "CONSOLE_SCREENSHOTS";

    public static bool Wanted => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Saves docs/screenshots/&lt;name&gt;-desktop.png and &lt;name&gt;-phone.png, when asked to.</summary>
    public static async Task TakeAsync(IPage page, string name)
    {
        if (!Wanted)
        {
            return;
        }

        var folder = Path.Combine(RepositoryPaths.Find().Root, "docs", "screenshots");
        Directory.CreateDirectory(folder);
        var original = page.ViewportSize;
        foreach (var (width, viewport) in new[] { ("desktop", BrowserSession.Desktop), ("phone", BrowserSession.Phone) })
        {
            await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
            // A page's script may lay out again on resize (the dashboard's charts do, in the next frame): two frames on.
            await page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}-{width}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        }

        if (original is not null)
        {
            await page.SetViewportSizeAsync(original.Width, original.Height);
        }
    }
}
