using System.Net;
using System.Text.RegularExpressions;
using IncidentFunctions.Http;
using IncidentFunctions.Links;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Unit;

/// <summary>A clock the test moves by hand (Microsoft.Extensions.TimeProvider.Testing is not available here).</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A page as a client receives it.</summary>
public sealed record RenderedPage(int StatusCode, IHeaderDictionary Headers, string Body)
{
    /// <summary>The decoded action URL of every form on the page, in order.</summary>
    public IReadOnlyList<string> PostForms =>
        [.. Regex.Matches(Body, "<form method=\"post\" action=\"([^\"]*)\">").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];
}

/// <summary>Keys, signers, URL parsing and page execution shared by the link tests.</summary>
public static class LinkTestKit
{
    public const string BaseUrl = "https://incidents.example.com";
    public const string IncidentId = "INC-20261126-7K3QX9MD";
    public const string OtherIncidentId = "INC-20261126-7K3QX9ME";

    public static readonly DateTimeOffset Start = new(2026, 11, 26, 3, 14, 15, TimeSpan.Zero);

    public static readonly string KeyA = Key(1);
    public static readonly string KeyB = Key(2);

    /// <summary>A 32-byte key, distinct per seed, in the base64 form the setting takes.</summary>
    public static string Key(byte seed) => Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + seed)).ToArray());

    public static LinkSigner Signer(TimeProvider time, string? key = null, string? previousKey = null, string baseUrl = BaseUrl, int lifetimeHours = 24) =>
        new(Options.Create(new ResponderLinkOptions
        {
            BaseUrl = baseUrl,
            SigningKey = key ?? KeyA,
            PreviousSigningKey = previousKey,
            LifetimeHours = lifetimeHours,
        }), time);

    /// <summary>The route values and token of a link, as the function receives them.</summary>
    public static (string IncidentId, string Action, string Token) Parse(Uri url)
    {
        var segments = url.AbsolutePath.Split('/');
        return (segments[^2], segments[^1], QueryHelpers.ParseQuery(url.Query).GetValueOrDefault(LinkSigner.TokenParameter).ToString());
    }

    /// <summary>The link pages as the app renders them, with a renderer of their own.</summary>
    public static readonly LinkPages LinkPageRenderer = new(new PageRenderer(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance));

    /// <summary>Renders a page, then runs it as <see cref="Execute(IActionResult, string)"/> does.</summary>
    public static async Task<RenderedPage> Execute(Task<HtmlPage> page, string method = "GET") => await Execute(await page, method);

    /// <summary>Runs a result the way both hosts do, against a bare HttpContext.</summary>
    public static async Task<RenderedPage> Execute(IActionResult result, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Response.Body = new MemoryStream();
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        return new RenderedPage(context.Response.StatusCode, context.Response.Headers, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
