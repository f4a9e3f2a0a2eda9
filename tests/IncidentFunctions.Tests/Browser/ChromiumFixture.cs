using IncidentFunctions.TestTools;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// One Chromium for the browser tests, launched on first use so that the dev host's other tests never start it.
/// Debian's Chromium, not a Playwright download: the package ships Playwright's driver, and the browser comes from apt
/// like Alertmanager. As root Playwright turns Chromium's sandbox off, which a test machine needs.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    const string Binary = "/usr/bin/chromium";
    const string Package = "chromium";

    readonly SemaphoreSlim gate = new(1, 1);
    IPlaywright? playwright;
    IBrowser? browser;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>A fresh context (its own cookies and storage) whose every request carries <paramref name="headers"/>.</summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseUrl, IReadOnlyDictionary<string, string> headers, ViewportSize viewport)
    {
        var chromium = await BrowserAsync();
        return await chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.GetLeftPart(UriPartial.Authority),
            ExtraHTTPHeaders = headers,
            ViewportSize = viewport,
        });
    }

    async Task<IBrowser> BrowserAsync()
    {
        await gate.WaitAsync();
        try
        {
            if (browser is null)
            {
                var executable = await DebianPackages.InstallAsync(Binary, Package);
                playwright = await Playwright.CreateAsync();
                browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true });
            }

            return browser;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        gate.Dispose();
    }
}
