using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Maps every HTTP-triggered function to /api/{its route} with its methods, like `func start` does. Authorization
/// levels are not enforced, as `func start` does not enforce them locally; the functions check their own secrets.
/// </summary>
public static partial class HttpTriggerEndpoints
{
    public static IEndpointRouteBuilder MapHttpFunctions(this IEndpointRouteBuilder endpoints, FunctionCatalog catalog)
    {
        foreach (var function in catalog.OfKind(TriggerKind.Http))
        {
            if (function.Trigger.ParameterType != typeof(HttpRequest))
            {
                throw new NotSupportedException($"Function {function.Name}: the dev host binds HTTP triggers to HttpRequest (ASP.NET Core integration).");
            }

            var binders = function.Method.GetParameters()
                .Select(p => p == function.Trigger ? null : ParameterBinding.For(function, p))
                .ToArray();
            var route = $"/{IncidentFunctions.Routes.Prefix}/{function.Http.Route ?? function.Name}";
            var methods = (function.Http.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray();

            endpoints.MapMethods(route, methods, context => InvokeAsync(function, binders, context))
                .WithDisplayName(function.Name);
        }

        return endpoints;
    }

    static async Task InvokeAsync(
        FunctionDescriptor function,
        Func<IServiceProvider, CancellationToken, IReadOnlyDictionary<string, object?>?, object?>?[] binders,
        HttpContext context)
    {
        var services = context.RequestServices;
        var routeValues = context.Request.RouteValues;
        var arguments = binders
            .Select(b => b is null ? context.Request : b(services, context.RequestAborted, routeValues))
            .ToArray();

        var result = await function.InvokeAsync(function.CreateTarget(services), arguments);
        switch (result)
        {
            case IActionResult action:
                await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult minimal:
                await minimal.ExecuteAsync(context);
                break;
            case null:
                break;
            default:
                await context.Response.WriteAsJsonAsync(result, result.GetType(), context.RequestAborted);
                break;
        }
    }
}
