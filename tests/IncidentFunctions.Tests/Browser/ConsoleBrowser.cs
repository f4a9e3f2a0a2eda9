using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// What the browser tests share: signing in, opening an incident from an alert, a hostile alert, and the checks every
/// page gets (nothing from an alert ran; axe-core finds nothing serious).
/// </summary>
public static class ConsoleBrowser
{
    /// <summary>Markup and script an alert might carry; each would open a dialog or set window.pwned if it ran.</summary>
    public const string HostileTitle = """<img src=x onerror="window.pwned=1;alert(1)"><script>window.pwned=2;alert(2)</script> disk full""";

    public static readonly string[] ViewerRoles = [AppRoles.ValueOf(AppRole.Viewer)];

    /// <summary>A browser on the dev host signed in as <paramref name="name"/> with <paramref name="roles"/>.</summary>
    public static Task<BrowserSession> SignInAsync(ChromiumFixture chromium, DevHostFixture fixture, string name, IEnumerable<string> roles) =>
        BrowserSession.OpenAsync(chromium, fixture.Host.BaseAddress, name, roles);

    /// <summary>The principal of <paramref name="person"/> of the dev host's policy (alice, bob, carol, dana) with <paramref name="role"/>.</summary>
    public static string Person(DevHostFixture fixture, string person, AppRole role) =>
        ClientPrincipal.Encode(NameOf(person), roles: [AppRoles.ValueOf(role)], email: fixture.Policy.Email(person));

    /// <summary>A browser on the dev host signed in as <paramref name="person"/> of its policy, with <paramref name="role"/>.</summary>
    public static Task<BrowserSession> SignInAsPersonAsync(ChromiumFixture chromium, DevHostFixture fixture, string person, AppRole role) =>
        BrowserSession.OpenAsync(chromium, fixture.Host.BaseAddress, NameOf(person), [AppRoles.ValueOf(role)], email: fixture.Policy.Email(person));

    /// <summary>How the console names a person of the test policy ("alice" is "Alice").</summary>
    public static string NameOf(string person) => char.ToUpperInvariant(person[0]) + person[1..];

    /// <summary>An API call as <paramref name="principal"/>, as a program would make it; fails unless it answers <paramref name="expected"/>.</summary>
    public static async Task<T> SendAsync<T>(DevHostFixture fixture, HttpMethod method, string path, string principal, HttpStatusCode expected, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: JsonDefaults.Options) };
        request.Headers.Add(ClientPrincipal.Header, principal);
        request.Headers.Add(IdempotentRequests.Header, Guid.NewGuid().ToString("N"));
        using var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, JsonDefaults.Options)!;
    }

    /// <summary>An alert through the dev host's generic intake, and the incident it opened.</summary>
    public static async Task<Incident> OpenIncidentAsync(DevHostFixture fixture, string title)
    {
        var key = TestAlerts.NewKey("browser");
        (await fixture.PostAlertAsync(EndToEnd.DevHostPipelineTests.Alert(key, title))).EnsureSuccessStatusCode();
        return await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), $"the incident '{title}'");
    }

    /// <summary>Nothing from the alert ran (no dialog, no global set) or became an element.</summary>
    public static async Task AssertInertAsync(BrowserSession browser, IPage? page = null)
    {
        page ??= browser.Page;
        Assert.False(await page.EvaluateAsync<bool>("() => 'pwned' in window"), "a script from the alert ran");
        Assert.Equal(0, await page.Locator("img[src='x'], body script, [onerror]").CountAsync());
        Assert.Empty(browser.Problems);
    }

    /// <summary>axe-core's WCAG 2.1 A and AA rules: what serious and critical mean here, and a fraction of all its rules' time.</summary>
    static readonly AxeRunOptions Wcag = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe(Wcag);
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})")
            .ToList();
        Assert.True(serious.Count == 0, $"axe-core on {what}:\n" + string.Join('\n', serious));
    }

    /// <summary>The page at a phone's width, with nothing wider than the screen (a page that scrolls sideways hides half of every line).</summary>
    public static async Task AssertFitsAPhoneAsync(IPage page, string what)
    {
        await page.SetViewportSizeAsync(BrowserSession.Phone.Width, BrowserSession.Phone.Height);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"{what} is {overflow} px wider than a {BrowserSession.Phone.Width} px screen");
    }

    public static string HostileAlertmanagerAlert(string fingerprint) => AlertmanagerWebhook(
        fingerprint,
        new Dictionary<string, string>
        {
            ["alertname"] = "Hostile",
            ["severity"] = "critical",
            ["team"] = "<b>checkout</b><script>alert(3)</script>",
            ["<img src=x onerror=alert(4)>"] = "label name",
        },
        new Dictionary<string, string> { ["summary"] = HostileTitle },
        generatorUrl: "javascript:alert(5)",
        startsAt: DateTimeOffset.UtcNow);

    /// <summary>Alertmanager's webhook with one firing alert, as Alertmanager sends it.</summary>
    public static string AlertmanagerWebhook(
        string fingerprint, Dictionary<string, string> labels, Dictionary<string, string> annotations, string generatorUrl, DateTimeOffset startsAt) =>
        JsonSerializer.Serialize(new
        {
            version = "4",
            groupKey = $"{{}}:{{alertname=\"{labels["alertname"]}\"}}",
            status = "firing",
            receiver = "incidentfunctions",
            alerts = new[]
            {
                new
                {
                    status = "firing",
                    labels,
                    annotations,
                    startsAt,
                    endsAt = "0001-01-01T00:00:00Z",
                    generatorURL = generatorUrl,
                    fingerprint,
                },
            },
        });

    /// <summary>The recipient's Acknowledge link, as the email's plain-text part carries it.</summary>
    public static Uri AcknowledgeLink(MailDevEmail email, string incidentId)
    {
        var match = Regex.Match(email.Text ?? string.Empty, $@"https?://\S+/respond/{Regex.Escape(incidentId)}/acknowledge\?token=[A-Za-z0-9_\-]+");
        Assert.True(match.Success, $"no acknowledge link in:\n{email.Text}");
        return new Uri(match.Value);
    }
}
