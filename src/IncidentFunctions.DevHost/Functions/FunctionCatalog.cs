using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.DevHost.Functions;

public enum TriggerKind
{
    Http,
    Queue,
    Timer,
    Orchestration,
    Activity,
}

/// <summary>One [Function] method, found by reflection, with the attribute of its trigger parameter.</summary>
public sealed record FunctionDescriptor(string Name, MethodInfo Method, TriggerKind Kind, ParameterInfo Trigger, Attribute TriggerAttribute)
{
    public HttpTriggerAttribute Http => (HttpTriggerAttribute)TriggerAttribute;

    public QueueTriggerAttribute Queue => (QueueTriggerAttribute)TriggerAttribute;

    public TimerTriggerAttribute Timer => (TimerTriggerAttribute)TriggerAttribute;

    /// <summary>Creates the function's class the way the Functions worker does: per invocation, from DI.</summary>
    public object? CreateTarget(IServiceProvider services) =>
        Method.IsStatic ? null : Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(services, Method.DeclaringType!);

    /// <summary>Calls the method and awaits it; returns what it returned (null for Task or void).</summary>
    public async Task<object?> InvokeAsync(object? target, object?[] arguments)
    {
        object? result;
        try
        {
            result = Method.Invoke(target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }

        if (result is Task task)
        {
            await task;
            var type = task.GetType();
            return type.IsGenericType && type.GetProperty("Result") is { } property && property.PropertyType.Name != "VoidTaskResult"
                ? property.GetValue(task)
                : null;
        }

        return result;
    }
}

/// <summary>
/// Every function in the app assembly, read from the same attributes the Functions host reads. Nothing about a
/// function (name, route, methods, queue, schedule) is written down a second time for the dev host.
/// </summary>
public sealed class FunctionCatalog
{
    public FunctionCatalog(Assembly assembly)
    {
        Functions = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => Describe(x.Attribute!.Name, x.Method))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
    }

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    public IEnumerable<FunctionDescriptor> OfKind(TriggerKind kind) => Functions.Where(f => f.Kind == kind);

    static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            foreach (var attribute in parameter.GetCustomAttributes())
            {
                TriggerKind? kind = attribute switch
                {
                    HttpTriggerAttribute => TriggerKind.Http,
                    QueueTriggerAttribute => TriggerKind.Queue,
                    TimerTriggerAttribute => TriggerKind.Timer,
                    OrchestrationTriggerAttribute => TriggerKind.Orchestration,
                    ActivityTriggerAttribute => TriggerKind.Activity,
                    _ when attribute.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal) =>
                        throw new NotSupportedException(
                            $"Function {name} uses {attribute.GetType().Name}, which the dev host does not host. " +
                            "Run it under the Functions host (func start), or teach the dev host that trigger."),
                    _ => null,
                };
                if (kind is { } k)
                {
                    return new FunctionDescriptor(name, method, k, parameter, attribute);
                }
            }
        }

        throw new NotSupportedException($"Function {name} ({method.DeclaringType?.Name}.{method.Name}) has no trigger parameter.");
    }
}
