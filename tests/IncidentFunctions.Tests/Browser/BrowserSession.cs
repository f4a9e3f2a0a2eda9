using IncidentFunctions.Http;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// One test's browser: its own context, signed in as the principal it acts as (the header App Service Authentication
/// adds in Azure; the dev host adds its own only when none is sent), and a page that records everything that should
/// never happen on the console's pages: a console error (Chromium reports a CSP violation as one), an uncaught script
/// error, a dialog (an alert() injected through an alert's text).
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    readonly IBrowserContext context;
    readonly List<string> problems = [];

    BrowserSession(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = Watch(page);
    }

    public IPage Page { get; }

    /// <summary>What went wrong on the page so far.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (problems)
            {
                return [.. problems];
            }
        }
    }

    /// <summary>
    /// A session on the dev host signed in as <paramref name="name"/> with <paramref name="roles"/> (and
    /// <paramref name="email"/>, by which the policy knows its people); signed out when name is null.
    /// </summary>
    public static async Task<BrowserSession> OpenAsync(
        ChromiumFixture chromium, Uri host, string? name, IEnumerable<string>? roles = null, ViewportSize? viewport = null, string? email = null)
    {
        var headers = name is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { [ClientPrincipal.Header] = ClientPrincipal.Encode(name, roles: roles, email: email) };
        var context = await chromium.NewContextAsync(host, headers, viewport ?? Desktop);
        return new BrowserSession(context, await context.NewPageAsync());
    }

    /// <summary>Another page in the same context (about:blank, so no page's CSP applies), watched like the first.</summary>
    public async Task<IPage> NewPageAsync() => Watch(await context.NewPageAsync());

    /// <summary>Fails the test if the page logged an error, threw, or opened a dialog.</summary>
    public void AssertNoProblems() => Assert.True(Problems.Count == 0, "The page had problems:\n" + string.Join('\n', Problems));

    /// <summary>The problems so far, forgotten: for a test that expects one (a refusal's status is a console error).</summary>
    public IReadOnlyList<string> TakeProblems()
    {
        lock (problems)
        {
            var taken = problems.ToList();
            problems.Clear();
            return taken;
        }
    }

    IPage Watch(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Record($"console error: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Record($"script error: {error}");
        page.Dialog += async (_, dialog) =>
        {
            Record($"{dialog.Type} dialog: {dialog.Message}");
            await dialog.DismissAsync();
        };
        return page;
    }

    void Record(string problem)
    {
        lock (problems)
        {
            problems.Add(problem);
        }
    }

    public ValueTask DisposeAsync() => new(context.CloseAsync());
}
