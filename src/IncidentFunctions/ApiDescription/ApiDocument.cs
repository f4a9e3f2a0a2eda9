using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Http;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Links;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace IncidentFunctions.ApiDescription;

/// <summary>
/// The OpenAPI 3.1 document of the app's HTTP API, generated from the code: every [Function] with an [HttpTrigger] (its
/// route, from <see cref="Routes"/>, and its methods), the path parameters of its route template, the bodies and answers
/// its <see cref="ApiOperationAttribute"/> names, and their JSON Schemas from the C# types (<see cref="ApiSchemas"/>).
/// An HTTP function without that attribute stops the document from being built, by name. The document holds nothing
/// but what the code says: no host name, setting value, integration name or secret.
/// </summary>
public sealed partial class ApiDocument(Assembly app)
{
    public const string Title = "IncidentFunctions";

    /// <summary>Component names of the security schemes (see <see cref="SecuritySchemes"/>).</summary>
    public static class Schemes
    {
        public const string AppServiceAuthentication = "appServiceAuthentication";
        public const string IntegrationBearer = "integrationBearer";
        public const string IntegrationApiKey = "integrationApiKey";
        public const string IntegrationKeyQuery = "integrationKeyQuery";
        public const string LinkToken = "linkToken";
    }

    readonly Lazy<JsonElement> json = new(() => Serialize(Build(app)));

    /// <summary>The document as JSON, built on first use (it cannot change while the app runs).</summary>
    public JsonElement Json => json.Value;

    public static OpenApiDocument Build(Assembly app) => Build(HttpFunctions(app), VersionOf(app));

    internal static OpenApiDocument Build(IEnumerable<HttpFunction> functions, string version)
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = Title,
                Version = version,
                Description = "Incident management on Azure Functions: alerts in, incidents, their timelines, and acting on them. " +
                    "Generated from the code that serves it. Every refusal is application/problem+json (RFC 7807), except where an " +
                    "operation says otherwise (the PagerDuty-compatible endpoint answers in the Events API's shape, emailed links with pages).",
            },
            Servers = [new OpenApiServer { Url = "/" + Routes.Prefix }],
            Paths = [],
            Components = new OpenApiComponents(),
        };
        document.Components.SecuritySchemes = SecuritySchemes();

        var schemas = new ApiSchemas(document);
        var problem = schemas.For(typeof(Problem));
        foreach (var route in functions.GroupBy(f => f.Route).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var item = new OpenApiPathItem { Operations = [] };
            foreach (var function in route)
            {
                foreach (var method in function.Methods)
                {
                    item.Operations[method] = Operation(document, schemas, problem, function, method);
                }
            }

            document.Paths["/" + PathOf(route.Key)] = item;
        }

        schemas.AddComponents();
        return document;
    }

    /// <summary>An HTTP function as both hosts see it: route (the function's name when it has none) and methods (GET and POST when it names none).</summary>
    internal sealed record HttpFunction(string Name, MethodInfo Method, string Route, IReadOnlyList<HttpMethod> Methods, ApiOperationAttribute? Operation);

    internal static IEnumerable<HttpFunction> HttpFunctions(Assembly app) =>
        app.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(),
                Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .Select(x => new HttpFunction(
                x.Function!.Name,
                x.Method,
                x.Trigger!.Route ?? x.Function.Name,
                (x.Trigger.Methods ?? ["get", "post"]).Select(m => new HttpMethod(m.ToUpperInvariant())).ToList(),
                x.Method.GetCustomAttribute<ApiOperationAttribute>()))
            .OrderBy(f => f.Name, StringComparer.Ordinal);

    /// <summary>The OpenAPI path of a route template: constraints, defaults and optional marks left out ({id:int?} is {id}).</summary>
    internal static string PathOf(string route) => RouteParameter().Replace(route, m => $"{{{m.Groups["name"].Value}}}");

    static OpenApiOperation Operation(OpenApiDocument document, ApiSchemas schemas, IOpenApiSchema problem, HttpFunction function, HttpMethod method)
    {
        var declared = function.Operation ?? throw new InvalidOperationException(
            $"HTTP function {function.Name} ({function.Method.DeclaringType?.Name}.{function.Method.Name}) has no [ApiOperation]: " +
            "declare its summary, security and bodies so that the OpenAPI document describes it.");
        var idempotent = function.Method.IsDefined(typeof(IdempotencyKeyAttribute));
        var ifMatch = function.Method.IsDefined(typeof(IfMatchAttribute));
        var operation = new OpenApiOperation
        {
            // One function may answer several methods (a link's GET and HEAD); operation ids are unique in a document.
            OperationId = function.Methods.Count == 1 ? function.Name : function.Name + method.Method[..1] + method.Method[1..].ToLowerInvariant(),
            Summary = declared.Summary,
            Description = DescriptionOf(declared),
            Parameters = [],
            Responses = [],
            Security = SecurityOf(document, declared.Security),
        };

        foreach (var name in RouteParameter().Matches(function.Route).Select(m => m.Groups["name"].Value))
        {
            var type = function.Method.GetParameters().FirstOrDefault(p => p.Name == name)?.ParameterType ?? typeof(string);
            operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = schemas.For(type) });
        }

        foreach (var query in function.Method.GetCustomAttributes<ApiQueryAttribute>())
        {
            operation.Parameters.Add(new OpenApiParameter { Name = query.Name, In = ParameterLocation.Query, Description = query.Description, Schema = schemas.For(query.Type) });
        }

        if (idempotent)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKeyAttribute.Header,
                In = ParameterLocation.Header,
                Description = "Makes a retry safe: the first answer to a key is stored for 24 hours and a retry with the same key and " +
                    "body gets it again, writing nothing; the same key with another body is a 422, one still in progress a 409.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKeyAttribute.MaxLength, Pattern = "^[\\x21-\\x7E]+$" },
            });
        }

        if (ifMatch)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IfMatch.Header,
                In = ParameterLocation.Header,
                Description = "The ETag a read returned: the change applies only if the incident has not changed since (412 otherwise).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        if (declared.Request is { } request)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = declared.RequestDescription,
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schemas.For(request) } },
            };
            if (declared.RequestMayBeFile)
            {
                operation.RequestBody.Content!["*/*"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
            }
        }

        var success = new OpenApiResponse
        {
            Description = declared.ResponseDescription ?? ReasonPhrases.GetReasonPhrase(declared.Status),
            Content = method == HttpMethod.Head ? null : Body(schemas, declared.Response, declared.ResponseMediaType),
        };
        if (function.Method.IsDefined(typeof(ETagAttribute)))
        {
            success.Headers = new Dictionary<string, IOpenApiHeader>
            {
                [HeaderNames.ETag] = new OpenApiHeader { Description = "The incident's version, for If-Match.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }

        Add(operation, function, declared.Status, success);

        foreach (var other in function.Method.GetCustomAttributes<ApiResponseAttribute>())
        {
            Add(operation, function, other.Status, new OpenApiResponse
            {
                Description = other.Description,
                Content = method == HttpMethod.Head ? null : Body(schemas, other.Type, other.MediaType),
            });
        }

        foreach (var status in ProblemsOf(declared, idempotent, ifMatch))
        {
            Add(operation, function, status, new OpenApiResponse
            {
                Description = ReasonPhrases.GetReasonPhrase(status),
                Content = method == HttpMethod.Head ? null : new Dictionary<string, IOpenApiMediaType> { [Problem.ContentType] = new OpenApiMediaType { Schema = problem } },
            });
        }

        return operation;
    }

    static IEnumerable<int> ProblemsOf(ApiOperationAttribute declared, bool idempotent, bool ifMatch)
    {
        var statuses = new SortedSet<int>(declared.Problems);
        if (declared.Security is ApiSecurity.SignedIn or ApiSecurity.IntegrationSecret)
        {
            statuses.Add(401);
        }

        if (idempotent)
        {
            statuses.UnionWith([409, 422]);
        }

        if (ifMatch)
        {
            statuses.Add(412);
        }

        return statuses;
    }

    static void Add(OpenApiOperation operation, HttpFunction function, int status, OpenApiResponse response)
    {
        if (!operation.Responses!.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), response))
        {
            throw new InvalidOperationException($"HTTP function {function.Name} declares the answer {status} twice.");
        }
    }

    static Dictionary<string, IOpenApiMediaType>? Body(ApiSchemas schemas, Type? type, string mediaType) =>
        type is not null
            ? new() { [mediaType] = new OpenApiMediaType { Schema = schemas.For(type) } }
            : mediaType.StartsWith("text/", StringComparison.Ordinal)
                ? new() { [mediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } }
                : null;

    static string? DescriptionOf(ApiOperationAttribute declared) => declared.Security == ApiSecurity.RoutingKeyInBody
        ? string.Join(" ", new[] { declared.Description, "Authenticated by the event's routing_key, an integration's secret, in the body." }.Where(s => s is not null))
        : declared.Description;

    static List<OpenApiSecurityRequirement>? SecurityOf(OpenApiDocument document, ApiSecurity security)
    {
        OpenApiSecurityRequirement Requirement(string scheme) => new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

        return security switch
        {
            ApiSecurity.SignedIn => [Requirement(Schemes.AppServiceAuthentication)],
            // Any one of the three.
            ApiSecurity.IntegrationSecret => [Requirement(Schemes.IntegrationBearer), Requirement(Schemes.IntegrationApiKey), Requirement(Schemes.IntegrationKeyQuery)],
            ApiSecurity.LinkToken => [Requirement(Schemes.LinkToken)],
            _ => null,
        };
    }

    static Dictionary<string, IOpenApiSecurityScheme> SecuritySchemes() => new()
    {
        [Schemes.AppServiceAuthentication] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ClientPrincipal.Header,
            Description = "Set by Azure App Service Authentication (Microsoft Entra ID) in front of the app, never by the caller: sign " +
                "in at /.auth/login/aad, or send an Entra access token for the app as 'Authorization: Bearer ...'. The platform " +
                $"removes any {ClientPrincipal.Header} a caller sends and sets its own; the app believes the header only where " +
                $"{AuthenticationOptions.EasyAuthEnabledSetting} is true. The local dev host signs requests in itself.",
        },
        [Schemes.IntegrationBearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The integration's secret as 'Authorization: Bearer <secret>'. An integration configured to sign is " +
                $"authenticated by its signature instead: Standard Webhooks ({StandardWebhooks.IdHeader}, {StandardWebhooks.TimestampHeader}, " +
                $"{StandardWebhooks.SignatureHeader}) or an HMAC-SHA256 header ({HmacSignatures.DefaultHeader} by default).",
        },
        [Schemes.IntegrationApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = IntegrationAuthenticator.ApiKeyHeader,
            Description = "The integration's secret in a header.",
        },
        [Schemes.IntegrationKeyQuery] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = IntegrationAuthenticator.KeyParameter,
            Description = "The integration's secret in the URL, for senders that cannot set a header (Azure Monitor action groups).",
        },
        [Schemes.LinkToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = LinkSigner.TokenParameter,
            Description = "The token of an emailed responder link, HMAC-signed over the incident, the recipient, the action and " +
                "the expiry. GET and HEAD only show a confirmation page (mail scanners fetch every link); POST acts.",
        },
    };

    static string VersionOf(Assembly app) =>
        app.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? app.GetName().Version?.ToString()
            ?? "0";

    internal static JsonElement Serialize(OpenApiDocument document)
    {
        using var text = new StringWriter();
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        using var parsed = JsonDocument.Parse(text.ToString());
        return parsed.RootElement.Clone();
    }

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameter();
}
