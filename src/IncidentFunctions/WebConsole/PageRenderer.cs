using IncidentFunctions.Http;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// Renders a Razor component to an HTML page. Razor encodes every value it writes into text or attributes, so a value
/// from an alert or a person is inert unless a component opts out (none does: see ConsoleMarkupTests). One renderer per
/// page, as ASP.NET Core's own server rendering does, so that nothing a page built outlives it.
/// </summary>
public sealed class PageRenderer(IServiceProvider services, ILoggerFactory loggers)
{
    public async Task<string> RenderAsync<TComponent>(IReadOnlyDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var root = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters.ToDictionary()));
            return root.ToHtmlString();
        });
    }

    /// <summary>
    /// A page: the component as a whole document with the console's headers, or with an email link's (no script) when
    /// <paramref name="policy"/> says so.
    /// </summary>
    public async Task<HtmlPage> PageAsync<TComponent>(int statusCode, IReadOnlyDictionary<string, object?> parameters, PagePolicy policy = PagePolicy.Console)
        where TComponent : IComponent =>
        new(statusCode, "<!DOCTYPE html>" + await RenderAsync<TComponent>(parameters), policy);

    /// <summary>A piece of a page that htmx swaps in (a polled timeline, a list's rows); the same headers as a page.</summary>
    public async Task<HtmlPage> FragmentAsync<TComponent>(IReadOnlyDictionary<string, object?> parameters)
        where TComponent : IComponent =>
        new(200, await RenderAsync<TComponent>(parameters), PagePolicy.Console);
}
