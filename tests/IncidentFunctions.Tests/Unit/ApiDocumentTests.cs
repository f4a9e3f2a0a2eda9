using System.Reflection;
using System.Text.Json;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.Functions;
using IncidentFunctions.Http;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Links;
using Microsoft.OpenApi;

namespace IncidentFunctions.Tests.Unit;

/// <summary>The OpenAPI document the app generates from its own code (ApiDescription/ApiDocument.cs).</summary>
public sealed class ApiDocumentTests
{
    static readonly Assembly App = typeof(IncidentServices).Assembly;
    static readonly JsonElement Document = new ApiDocument(App).Json;
    static readonly JsonElement Paths = Document.GetProperty("paths");
    static readonly JsonElement Schemas = Document.GetProperty("components").GetProperty("schemas");

    /// <summary>
    /// Every function the hosts serve over HTTP (as the dev host finds them, by its own reflection) is in the document
    /// with its route and each of its methods, and the document has no operation that no function serves.
    /// </summary>
    [Fact]
    public void EveryHttpFunctionsRouteAndMethodIsInTheDocument()
    {
        var served = new FunctionCatalog(App).OfKind(TriggerKind.Http)
            .SelectMany(f => (f.Http.Methods ?? ["get", "post"]).Select(m => $"{m.ToLowerInvariant()} /{Routes.Prefix}/{f.Http.Route}"))
            .Order(StringComparer.Ordinal);
        var server = Assert.Single(Document.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString();
        var documented = Paths.EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name} {server}{path.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(served, documented);
        Assert.Contains($"get /{Routes.Prefix}/{Routes.ApiDocument}", documented);
    }

    [Fact]
    public void AnHttpFunctionWithoutApiOperationStopsTheDocumentByName()
    {
        var undeclared = new ApiDocument.HttpFunction(nameof(FakeFunctions.Undeclared), Fake(nameof(FakeFunctions.Undeclared)), "things", [HttpMethod.Get], null);

        var error = Assert.Throws<InvalidOperationException>(() => ApiDocument.Build([.. ApiDocument.HttpFunctions(App), undeclared], "1"));

        Assert.Contains("Undeclared", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentReadsBackAsOpenApi31WithoutErrorsAndPassesItsValidation()
    {
        var read = OpenApiDocument.Parse(Document.GetRawText(), "json");

        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic!.SpecificationVersion);
        Assert.Empty(read.Diagnostic.Errors);
        Assert.StartsWith("3.1.", Document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var document = Assert.IsType<OpenApiDocument>(read.Document);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())!);
        Assert.Equal(Paths.EnumerateObject().Count(), document.Paths.Count);
    }

    /// <summary>Schemas come from the C# types with the wire's JSON settings: camelCase names, enum strings, nulls left out.</summary>
    [Fact]
    public void TheIncidentSchemaIsTheIncidentAsTheWireCarriesIt()
    {
        var incident = Schemas.GetProperty("Incident");
        var properties = incident.GetProperty("properties");
        var required = incident.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToList();

        Assert.Equal(typeof(Model.Incident).GetProperties().Length, properties.EnumerateObject().Count());
        Assert.Equal("#/components/schemas/Severity", properties.GetProperty("severity").GetProperty("$ref").GetString());
        Assert.Equal(["critical", "high", "warning", "info"], Schemas.GetProperty("Severity").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["P1", "P2", "P3", "P4"], Schemas.GetProperty("Priority").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("date-time", properties.GetProperty("openedAt").GetProperty("format").GetString());
        Assert.Equal("integer", properties.GetProperty("alertCount").GetProperty("type").GetString());
        Assert.Contains("id", required);
        Assert.Contains("alertCount", required);
        // Null properties are left out of the JSON, so they cannot be required.
        Assert.DoesNotContain("description", required);
        Assert.DoesNotContain("priority", required);
    }

    [Fact]
    public void AnswersReferToTheSchemasOfTheTypesTheFunctionsReturn()
    {
        Assert.Equal("#/components/schemas/ResultPageOfIncidentSummary", SuccessSchema(Routes.Incidents, "get", "200"));
        Assert.Equal("#/components/schemas/IncidentSummary", Schemas.GetProperty("ResultPageOfIncidentSummary").GetProperty("properties").GetProperty("items").GetProperty("items").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/ResultPageOfTimelineEvent", SuccessSchema(Routes.IncidentTimeline, "get", "200"));
        Assert.Equal("#/components/schemas/ResponderActionResult", SuccessSchema(Routes.IncidentAcknowledge, "post", "200"));
        Assert.Equal("#/components/schemas/AlertIntakeAccepted", SuccessSchema(Routes.Alerts, "post", "202"));
        Assert.Equal("array", Schemas.GetProperty("AlertIntakeAccepted").GetProperty("properties").GetProperty("dedupKeys").GetProperty("type").GetString());
        // The PagerDuty-compatible endpoint names its fields as the Events API does.
        Assert.True(Schemas.GetProperty("PagerDutyIntakeAnswer").GetProperty("properties").TryGetProperty("dedup_key", out _));
    }

    [Fact]
    public void EvidenceTakesALinkAsJsonOrAFileAsAnyBytes()
    {
        var content = Operation(Routes.IncidentEvidence, "post").GetProperty("requestBody").GetProperty("content");

        Assert.Equal("#/components/schemas/EvidenceLinkRequest", content.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("binary", content.GetProperty("*/*").GetProperty("schema").GetProperty("format").GetString());
        Assert.False(Operation(Routes.IncidentNotes, "post").GetProperty("requestBody").GetProperty("content").TryGetProperty("*/*", out _));
    }

    /// <summary>A request type's schema is a component too, reflecting its properties (no app route reads a typed body yet).</summary>
    [Fact]
    public void ARequestTypeBecomesTheRequestBodysSchema()
    {
        var document = Build(nameof(FakeFunctions.Edit));

        var body = document.GetProperty("paths").GetProperty("/things/{id}").GetProperty("patch").GetProperty("requestBody");
        Assert.True(body.GetProperty("required").GetBoolean());
        Assert.Equal("#/components/schemas/ApiDocumentTestsThingChange", body.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var change = document.GetProperty("components").GetProperty("schemas").GetProperty("ApiDocumentTestsThingChange");
        Assert.Equal(["title"], change.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("#/components/schemas/Severity", change.GetProperty("properties").GetProperty("severity").GetProperty("anyOf")[0].GetProperty("$ref").GetString());
    }

    [Fact]
    public void EveryProblemAnswerIsTheOneSharedProblemSchema()
    {
        var problems = Paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject())
            .SelectMany(o => o.Value.GetProperty("responses").EnumerateObject())
            .Where(r => r.Value.TryGetProperty("content", out var c) && c.TryGetProperty(Problem.ContentType, out _))
            .Select(r => r.Value.GetProperty("content").GetProperty(Problem.ContentType).GetProperty("schema").GetProperty("$ref").GetString())
            .ToList();

        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Equal("#/components/schemas/Problem", p));
        var problem = Schemas.GetProperty("Problem");
        Assert.Equal(["type", "title", "status", "detail", "errors"], problem.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain("errors", problem.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(Responses(Routes.Incident, "get").TryGetProperty("404", out _));
        Assert.True(Responses(Routes.Incident, "get").TryGetProperty("401", out _), "a signed-in route can answer 401");
    }

    [Fact]
    public void EachRouteNamesHowItsCallerIsAuthenticated()
    {
        var schemes = Document.GetProperty("components").GetProperty("securitySchemes");

        Assert.Equal(ClientPrincipal.Header, schemes.GetProperty(ApiDocument.Schemes.AppServiceAuthentication).GetProperty("name").GetString());
        Assert.Equal(IntegrationAuthenticator.ApiKeyHeader, schemes.GetProperty(ApiDocument.Schemes.IntegrationApiKey).GetProperty("name").GetString());
        Assert.Equal(IntegrationAuthenticator.KeyParameter, schemes.GetProperty(ApiDocument.Schemes.IntegrationKeyQuery).GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty(ApiDocument.Schemes.IntegrationBearer).GetProperty("scheme").GetString());
        Assert.Equal(LinkSigner.TokenParameter, schemes.GetProperty(ApiDocument.Schemes.LinkToken).GetProperty("name").GetString());

        Assert.Equal([ApiDocument.Schemes.AppServiceAuthentication], Security(Routes.IncidentResolve, "post"));
        Assert.Equal([ApiDocument.Schemes.AppServiceAuthentication], Security(Routes.Incidents, "get"));
        Assert.Equal(
            [ApiDocument.Schemes.IntegrationBearer, ApiDocument.Schemes.IntegrationApiKey, ApiDocument.Schemes.IntegrationKeyQuery],
            Security(Routes.Alerts, "post"));
        Assert.Equal([ApiDocument.Schemes.LinkToken], Security(Routes.ResponderLink, "head"));
        Assert.Empty(Security(Routes.ApiDocument, "get"));
        Assert.Empty(Security(Routes.PagerDutyEvents, "post"));
        Assert.Contains("routing_key", Operation(Routes.PagerDutyEvents, "post").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The design's convention: every POST a signed-in user makes can be retried safely with an Idempotency-Key.</summary>
    [Fact]
    public void EverySignedInPostTakesAnIdempotencyKey()
    {
        var posts = Paths.EnumerateObject()
            .Where(p => p.Value.TryGetProperty("post", out var post) && post.TryGetProperty("security", out var s) &&
                s.EnumerateArray().Any(r => r.TryGetProperty(ApiDocument.Schemes.AppServiceAuthentication, out _)))
            .Select(p => p.Value.GetProperty("post"))
            .ToList();

        Assert.NotEmpty(posts);
        Assert.All(posts, post =>
        {
            var header = post.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == IdempotencyKeyAttribute.Header);
            Assert.Equal("header", header.GetProperty("in").GetString());
            Assert.Equal(IdempotencyKeyAttribute.MaxLength, header.GetProperty("schema").GetProperty("maxLength").GetInt32());
            Assert.True(post.GetProperty("responses").TryGetProperty("422", out _));
        });
    }

    /// <summary>The coordination routes' edits take If-Match: one attribute on the function each, and the document follows.</summary>
    [Fact]
    public void IfMatchAndETagAreOneAttributeEach()
    {
        var edit = Build(nameof(FakeFunctions.Edit)).GetProperty("paths").GetProperty("/things/{id}").GetProperty("patch");
        var plain = Build(nameof(FakeFunctions.Read)).GetProperty("paths").GetProperty("/things/{id}").GetProperty("get");

        var parameters = edit.GetProperty("parameters").EnumerateArray().Select(p => (p.GetProperty("name").GetString(), p.GetProperty("in").GetString())).ToList();
        Assert.Equal([("id", "path"), ("If-Match", "header")], parameters);
        Assert.True(edit.GetProperty("responses").TryGetProperty("412", out _));
        Assert.True(edit.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.False(plain.GetProperty("responses").TryGetProperty("412", out _));
        Assert.False(plain.GetProperty("responses").GetProperty("200").TryGetProperty("headers", out _));
        Assert.Equal([("id", "path")], plain.GetProperty("parameters").EnumerateArray().Select(p => (p.GetProperty("name").GetString(), p.GetProperty("in").GetString())));
    }

    [Fact]
    public void QueryParametersAreTheOnesTheFunctionReads()
    {
        var parameters = Operation(Routes.Incidents, "get").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p);

        Assert.Equal([IncidentApi.StatusQuery, IncidentApi.LimitQuery, IncidentApi.ContinuationQuery], parameters.Keys);
        Assert.All(parameters.Values, p => Assert.Equal("query", p.GetProperty("in").GetString()));
        Assert.Equal("integer", parameters[IncidentApi.LimitQuery].GetProperty("schema").GetProperty("type").GetString());
    }

    [Fact]
    public void ALinksConfirmationPageIsHtmlAndItsHeadAnswerHasNoBody()
    {
        var get = Responses(Routes.ResponderLink, "get");
        var head = Responses(Routes.ResponderLink, "head");

        Assert.True(get.GetProperty("200").GetProperty("content").TryGetProperty(HtmlPage.ContentType, out _));
        Assert.True(get.GetProperty("410").GetProperty("content").TryGetProperty(HtmlPage.ContentType, out _));
        Assert.False(head.GetProperty("200").TryGetProperty("content", out _));
        Assert.NotEqual(
            Operation(Routes.ResponderLink, "get").GetProperty("operationId").GetString(),
            Operation(Routes.ResponderLink, "head").GetProperty("operationId").GetString());
    }

    [Theory]
    [InlineData("incidents/{id}", "incidents/{id}")]
    [InlineData("things/{id:int}/{name?}", "things/{id}/{name}")]
    [InlineData("files/{**path}", "files/{path}")]
    public void APathIsItsRouteTemplateWithoutConstraints(string route, string path) =>
        Assert.Equal(path, ApiDocument.PathOf(route));

    static JsonElement Operation(string route, string method) => Paths.GetProperty("/" + route).GetProperty(method);

    static JsonElement Responses(string route, string method) => Operation(route, method).GetProperty("responses");

    static string? SuccessSchema(string route, string method, string status) =>
        Responses(route, method).GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    static List<string> Security(string route, string method) =>
        Operation(route, method).TryGetProperty("security", out var security)
            ? security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => s.Name)).ToList()
            : [];

    static MethodInfo Fake(string name) => typeof(FakeFunctions).GetMethod(name)!;

    static JsonElement Build(string fake)
    {
        var method = Fake(fake);
        var function = new ApiDocument.HttpFunction(fake, method, "things/{id}",
            [fake == nameof(FakeFunctions.Edit) ? HttpMethod.Patch : HttpMethod.Get], method.GetCustomAttribute<ApiOperationAttribute>()!);
        return ApiDocument.Serialize(ApiDocument.Build([function], "1"));
    }

    /// <summary>A request body of the coming kind.</summary>
    public sealed record ThingChange(string Title, Model.Severity? Severity, string? Reason);

    /// <summary>
    /// Methods described as functions are, but without [Function] and [HttpTrigger]: nothing in the test assembly may
    /// look like a function to the Functions SDK, so the tests hand the route and methods over themselves.
    /// </summary>
    public static class FakeFunctions
    {
        [ApiOperation("Edit a thing", ApiSecurity.SignedIn, Request = typeof(ThingChange), Response = typeof(Model.Incident))]
        [IfMatch]
        [ETag]
        public static void Edit(string id) => _ = id;

        [ApiOperation("Read a thing", ApiSecurity.SignedIn, Response = typeof(Model.Incident))]
        public static void Read(string id) => _ = id;

        public static void Undeclared() { }
    }
}
