using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace IncidentFunctions.ApiDescription;

/// <summary>
/// The JSON Schemas of the types the API reads and writes, exported by System.Text.Json with the serializer settings the
/// app uses on the wire (<see cref="JsonDefaults"/>), so property names, enum strings and left-out nulls are described as
/// they are sent. Each object and enum type becomes one component schema that the others refer to with $ref.
/// </summary>
sealed class ApiSchemas(OpenApiDocument document)
{
    const string ComponentPrefix = "#/components/schemas/";

    // The wire's settings with one difference: JsonDefaults (the web defaults) also reads numbers sent as strings, an
    // input leniency no answer uses, which would otherwise turn every integer into "integer or string with a pattern".
    static readonly JsonSerializerOptions Wire = CreateWire();

    readonly Dictionary<string, Type> named = new(StringComparer.Ordinal);
    readonly Queue<(string Name, Type Type)> pending = new();
    readonly OpenApiJsonReader reader = new();

    /// <summary>A $ref to the component schema of an object or enum type; the schema itself, inline, of anything else.</summary>
    public IOpenApiSchema For(Type type)
    {
        if (type == typeof(JsonElement))
        {
            // Read as raw JSON and validated by the function's own rules (an alert format, for example).
            return new OpenApiSchema();
        }

        var typeInfo = Wire.GetTypeInfo(type);
        return IsComponent(type, typeInfo.Kind)
            ? new OpenApiSchemaReference(Register(type), document)
            : Read(Wire.GetJsonSchemaAsNode(type, Exporter));
    }

    /// <summary>Writes every schema referred to so far, and those they refer to, into the document's components.</summary>
    public void AddComponents()
    {
        var schemas = new SortedDictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var next))
        {
            schemas[next.Name] = Read(Wire.GetJsonSchemaAsNode(next.Type, Exporter));
        }

        document.Components ??= new OpenApiComponents();
        document.Components.Schemas = schemas;
    }

    /// <summary>
    /// The component name of a type: its own, after its declaring type's for a nested one (AlertIntake.Accepted is
    /// AlertIntakeAccepted), with its type arguments for a generic one (ResultPage&lt;Incident&gt; is ResultPageOfIncident).
    /// </summary>
    public static string NameOf(Type type)
    {
        var name = type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "Of" + string.Concat(type.GetGenericArguments().Select(NameOf))
            : type.Name;
        return type.IsNested ? NameOf(type.DeclaringType!) + name : name;
    }

    JsonSchemaExporterOptions Exporter => new()
    {
        // The app is compiled with nullable reference types: a reference without '?' is never null.
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Transform,
    };

    static bool IsComponent(Type type, JsonTypeInfoKind kind) =>
        (Nullable.GetUnderlyingType(type) ?? type).IsEnum || kind == JsonTypeInfoKind.Object;

    string Register(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var name = NameOf(type);
        if (named.TryGetValue(name, out var known))
        {
            return known == type
                ? name
                : throw new InvalidOperationException($"{known.FullName} and {type.FullName} would both be the API schema '{name}'; rename one.");
        }

        named[name] = type;
        pending.Enqueue((name, type));
        return name;
    }

    // Called for every node, innermost first; the root (an empty path) is the component being exported.
    JsonNode Transform(JsonSchemaExporterContext context, JsonNode node)
    {
        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && node is JsonObject schema)
        {
            LeaveNullablesOutOfRequired(context.TypeInfo, schema);
        }

        if (context.Path.Length == 0 || !IsComponent(context.TypeInfo.Type, context.TypeInfo.Kind))
        {
            return node;
        }

        var reference = new JsonObject { ["$ref"] = ComponentPrefix + Register(context.TypeInfo.Type) };
        return AllowsNull(node) ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) } : reference;
    }

    /// <summary>
    /// The exporter lists every constructor parameter as required, but the wire leaves a null property out
    /// (<see cref="JsonIgnoreCondition.WhenWritingNull"/>): a property that may be null may be absent.
    /// </summary>
    static void LeaveNullablesOutOfRequired(JsonTypeInfo typeInfo, JsonObject schema)
    {
        if (Wire.DefaultIgnoreCondition != JsonIgnoreCondition.WhenWritingNull || schema["required"] is not JsonArray required)
        {
            return;
        }

        var nullable = typeInfo.Properties.Where(p => p.IsGetNullable).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in required.Where(n => nullable.Contains((string)n!)).ToList())
        {
            required.Remove(name);
        }

        if (required.Count == 0)
        {
            schema.Remove("required");
        }
    }

    static bool AllowsNull(JsonNode node) =>
        node["type"] is JsonArray types && types.Any(t => (string?)t == "null") ||
        node["enum"] is JsonArray values && values.Any(v => v is null);

    OpenApiSchema Read(JsonNode node)
    {
        var schema = reader.ReadFragment<OpenApiSchema>(node, OpenApiSpecVersion.OpenApi3_1, document, out var diagnostic);
        return schema is not null && diagnostic.Errors.Count == 0
            ? schema
            : throw new InvalidOperationException(
                $"The JSON Schema {node.ToJsonString()} is not a valid OpenAPI 3.1 schema: {string.Join("; ", diagnostic.Errors.Select(e => e.Message))}");
    }

    static JsonSerializerOptions CreateWire()
    {
        var options = new JsonSerializerOptions(JsonDefaults.Options) { NumberHandling = JsonNumberHandling.Strict };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
