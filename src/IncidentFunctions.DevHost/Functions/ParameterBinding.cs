using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// Supplies the non-trigger parameters the Functions worker would: a [DurableClient], the invocation's
/// CancellationToken, and (for HTTP) route values by name. Anything else is refused at start-up, not at 3 a.m.
/// </summary>
public static class ParameterBinding
{
    public static Func<IServiceProvider, CancellationToken, IReadOnlyDictionary<string, object?>?, object?> For(FunctionDescriptor function, ParameterInfo parameter)
    {
        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return (_, ct, _) => ct;
        }

        if (parameter.GetCustomAttribute<DurableClientAttribute>() is not null)
        {
            return parameter.ParameterType == typeof(DurableTaskClient)
                ? (services, _, _) => services.GetRequiredService<DurableTaskClient>()
                : throw Unsupported(function, parameter, "bind [DurableClient] to DurableTaskClient");
        }

        if (parameter.ParameterType == typeof(FunctionContext))
        {
            throw Unsupported(function, parameter, "inject what you need through the constructor instead of FunctionContext");
        }

        if (function.Kind == TriggerKind.Http && IsSimple(parameter.ParameterType))
        {
            var converter = TypeDescriptor.GetConverter(parameter.ParameterType);
            var name = parameter.Name!;
            return (_, _, routeValues) =>
                routeValues is not null && routeValues.TryGetValue(name, out var value) && value is not null
                    ? converter.ConvertFrom(null, CultureInfo.InvariantCulture, value.ToString()!)
                    : parameter.HasDefaultValue ? parameter.DefaultValue : null;
        }

        throw Unsupported(function, parameter, "use a binding the dev host supplies");
    }

    static bool IsSimple(Type type) =>
        type.IsPrimitive || type == typeof(string) || type == typeof(Guid) || type == typeof(decimal) ||
        (Nullable.GetUnderlyingType(type) is { } inner && IsSimple(inner));

    static NotSupportedException Unsupported(FunctionDescriptor function, ParameterInfo parameter, string advice) =>
        new($"Function {function.Name}: parameter '{parameter.Name}' ({parameter.ParameterType.Name}) cannot be supplied by the dev host; {advice}.");
}
