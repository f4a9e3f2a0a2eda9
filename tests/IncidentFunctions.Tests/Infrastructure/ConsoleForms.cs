using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentFunctions.Http;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>One named field of a rendered form: an input, a select (with its options) or a textarea.</summary>
public sealed record RenderedField(
    string Tag, string Type, string Name, string? Kind, string Value, bool Checked, bool Multiple, IReadOnlyList<(string Value, bool Selected)> Options);

/// <summary>
/// A form as the console renders it, read from the HTML (no HTML parser is available to the tests; Razor writes every
/// attribute value quoted and encoded, so a tag never holds a raw '&gt;'), and submitted the way a browser and
/// Assets/console.js would: the browser's form data in document order, encoded by <see cref="ConsoleScriptMirror"/>,
/// sent with the form's method, route and headers. Filling a field that is not in the form, or choosing an option the
/// form does not offer, fails the test: the form is what a person can send.
/// </summary>
public sealed partial record RenderedForm(string Method, string Path, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<RenderedField> Fields)
{
    public bool SendsIfMatch => Attributes.ContainsKey("data-if-match");

    public bool SendsFile => Attributes.GetValueOrDefault("data-body") == "file";

    /// <summary>Every form in <paramref name="html"/> that calls the API (hx-post, hx-put, hx-patch or hx-delete).</summary>
    public static IReadOnlyList<RenderedForm> AllIn(string html)
    {
        var forms = new List<RenderedForm>();
        (string Method, string Path, Dictionary<string, string> Attributes, List<RenderedField> Fields)? form = null;
        RenderedField? select = null;
        var options = new List<(string, bool)>();
        foreach (Match tag in Tag().Matches(html))
        {
            var closing = tag.Groups[1].Value == "/";
            var name = tag.Groups[2].Value.ToLowerInvariant();
            var attributes = AttributesOf(tag.Groups[3].Value);
            switch (name, closing)
            {
                case ("form", false):
                    var verb = new[] { "post", "put", "patch", "delete" }.FirstOrDefault(v => attributes.ContainsKey($"hx-{v}"));
                    form = verb is null ? null : (verb.ToUpperInvariant(), attributes[$"hx-{verb}"], attributes, []);
                    break;
                case ("form", true):
                    if (form is { } done)
                    {
                        forms.Add(new RenderedForm(done.Method, done.Path, done.Attributes, done.Fields));
                    }

                    form = null;
                    break;
                case ("input", false) when form is not null && attributes.TryGetValue("name", out var inputName) && !attributes.ContainsKey("disabled"):
                    var type = attributes.GetValueOrDefault("type", "text").ToLowerInvariant();
                    var fallback = type is "checkbox" or "radio" ? "on" : string.Empty;
                    form.Value.Fields.Add(new RenderedField(
                        "input", type, inputName, attributes.GetValueOrDefault("data-json"), attributes.GetValueOrDefault("value", fallback), attributes.ContainsKey("checked"), false, []));
                    break;
                case ("textarea", false) when form is not null && attributes.TryGetValue("name", out var areaName):
                    var end = html.IndexOf("</textarea>", tag.Index + tag.Length, StringComparison.Ordinal);
                    var text = WebUtility.HtmlDecode(html[(tag.Index + tag.Length)..end]);
                    form.Value.Fields.Add(new RenderedField("textarea", "textarea", areaName, attributes.GetValueOrDefault("data-json"), text, false, false, []));
                    break;
                case ("select", false) when form is not null && attributes.TryGetValue("name", out var selectName):
                    select = new RenderedField("select", "select", selectName, attributes.GetValueOrDefault("data-json"), string.Empty, false, attributes.ContainsKey("multiple"), []);
                    options = [];
                    break;
                case ("option", false) when select is not null:
                    var close = html.IndexOf("</option>", tag.Index + tag.Length, StringComparison.Ordinal);
                    var label = WebUtility.HtmlDecode(html[(tag.Index + tag.Length)..close]).Trim();
                    options.Add((attributes.GetValueOrDefault("value", label), attributes.ContainsKey("selected")));
                    break;
                case ("select", true) when select is not null:
                    form!.Value.Fields.Add(select with { Options = options });
                    select = null;
                    break;
            }
        }

        return forms;
    }

    /// <summary>The one form in <paramref name="html"/> whose route is <paramref name="path"/>.</summary>
    public static RenderedForm At(string html, string path, string method = "POST")
    {
        var matching = AllIn(html).Where(f => f.Path == path && f.Method == method).ToList();
        Assert.True(matching.Count == 1, $"expected one {method} form for {path}; the forms: {string.Join(", ", AllIn(html).Select(f => $"{f.Method} {f.Path}"))}");
        return matching[0];
    }

    /// <summary>
    /// What the browser's form data holds once a person set <paramref name="values"/> (a name given twice picks two
    /// options of a multiple select): every other field keeps what the page rendered.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Filled(params (string Name, string Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            var field = Fields.FirstOrDefault(f => f.Name == name);
            Assert.True(field is not null, $"the form {Method} {Path} has no field '{name}'; its fields: {string.Join(", ", Fields.Select(f => f.Name))}");
            if (field.Tag == "select")
            {
                Assert.True(field.Options.Any(o => o.Value == value), $"'{name}' offers no option '{value}'; it offers {string.Join(", ", field.Options.Select(o => o.Value))}");
            }
            else if (field.Type == "radio")
            {
                Assert.True(Fields.Any(f => f.Name == name && f.Value == value), $"'{name}' has no choice '{value}'");
            }
        }

        var entries = new List<(string, string)>();
        foreach (var field in Fields)
        {
            var given = values.Where(v => v.Name == field.Name).Select(v => v.Value).ToList();
            switch (field.Type)
            {
                case "file":
                    break;
                case "radio" or "checkbox":
                    if (given.Count > 0 ? given.Contains(field.Value) : field.Checked)
                    {
                        entries.Add((field.Name, field.Value));
                    }

                    break;
                case "select":
                    var chosen = given.Count > 0
                        ? given
                        : field.Options.Where(o => o.Selected).Select(o => o.Value).DefaultIfEmpty(field.Multiple || field.Options.Count == 0 ? null : field.Options[0].Value).OfType<string>().ToList();
                    entries.AddRange((field.Multiple ? chosen : chosen.Take(1)).Select(v => (field.Name, v)));
                    break;
                default:
                    entries.Add((field.Name, given.Count > 0 ? given[^1] : field.Value));
                    break;
            }
        }

        return entries;
    }

    /// <summary>
    /// The request console.js sends for this form with <paramref name="values"/> set (see <see cref="Filled"/>), as a
    /// browser in <paramref name="zone"/> (UTC when null) on the page whose [data-etag] is <paramref name="etag"/>.
    /// </summary>
    public HttpRequestMessage Request(string etag, TimeZoneInfo? zone = null, params (string Name, string Value)[] values)
    {
        var request = NewRequest(etag, Path);
        if (Method != "DELETE")
        {
            request.Content = new StringContent(ConsoleScriptMirror.Encode(this, Filled(values), zone ?? TimeZoneInfo.Utc), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    /// <summary>The request console.js sends for a form with data-body="file" once a person chose this file.</summary>
    public HttpRequestMessage FileRequest(string etag, string fileName, string contentType, byte[] content)
    {
        Assert.True(SendsFile, $"the form {Method} {Path} sends no file");
        var query = Attributes.TryGetValue("data-file-name", out var parameter)
            ? $"{(Path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{Uri.EscapeDataString(parameter)}={Uri.EscapeDataString(fileName)}"
            : string.Empty;
        var request = NewRequest(etag, Path + query);
        request.Content = new ByteArrayContent(content);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Content.Headers.ContentDisposition = ContentDispositionHeaderValue.Parse($"attachment; filename*=UTF-8''{Uri.EscapeDataString(fileName)}");
        return request;
    }

    HttpRequestMessage NewRequest(string etag, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), path);
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        request.Headers.Add(IdempotentRequests.Header, Guid.NewGuid().ToString());
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        if (SendsIfMatch)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        return request;
    }

    static Dictionary<string, string> AttributesOf(string text) =>
        AttributePattern().Matches(text).ToDictionary(
            m => m.Groups[1].Value.ToLowerInvariant(),
            m => m.Groups[2].Success ? WebUtility.HtmlDecode(m.Groups[2].Value) : string.Empty);

    [GeneratedRegex("""<(/?)([a-zA-Z][\w-]*)((?:\s+[^\s=>/"]+(?:="[^"]*")?)*)\s*/?>""")]
    private static partial Regex Tag();

    [GeneratedRegex("""([^\s=>/"]+)(?:="([^"]*)")?""")]
    private static partial Regex AttributePattern();
}

/// <summary>
/// A C# mirror of console.js's encodeParameters, for the tests only: the form data's non-empty string values as one
/// JSON object, each field typed by its data-json kind, list (and lines) values of one name concatenated, and an unticked boolean
/// checkbox sent as false. ConsoleScriptMirrorTests runs console.js itself under Node on the same form data and keeps
/// the two in step.
/// </summary>
public static class ConsoleScriptMirror
{
    /// <summary>The data-json kinds console.js knows (its typed function's cases).</summary>
    public static readonly IReadOnlyList<string> Kinds = ["number", "boolean", "list", "lines", "object", "instant"];

    public static string Encode(RenderedForm form, IEnumerable<(string Name, string Value)> entries, TimeZoneInfo zone)
    {
        var body = new JsonObject();
        foreach (var (name, value) in entries)
        {
            if (value.Length == 0)
            {
                continue;
            }

            var kind = form.Fields.FirstOrDefault(f => f.Name == name)?.Kind;
            var parsed = Typed(kind, value, zone);
            if (kind is "list" or "lines" && body[name] is JsonArray already)
            {
                foreach (var item in (JsonArray)parsed!)
                {
                    already.Add(item!.DeepClone());
                }
            }
            else
            {
                body[name] = parsed;
            }
        }

        foreach (var box in form.Fields.Where(f => f.Type == "checkbox" && f.Kind == "boolean"))
        {
            if (!body.ContainsKey(box.Name))
            {
                body[box.Name] = false;
            }
        }

        return body.ToJsonString();
    }

    public static JsonNode? Typed(string? kind, string value, TimeZoneInfo zone) => kind switch
    {
        "number" => double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : null,
        "boolean" => JsonValue.Create(value is "true" or "on"),
        "list" => Items(value.Split([',', '\n'])),
        "lines" => Items(value.Split('\n')),
        "object" => JsonNode.Parse(value),
        "instant" => JsonValue.Create(Instant(value, zone)),
        _ => JsonValue.Create(value),
    };

    static JsonArray Items(string[] parts) => new([.. parts.Select(s => s.Trim()).Where(s => s.Length > 0).Select(s => (JsonNode)JsonValue.Create(s))]);

    /// <summary>new Date(local).toISOString(): a wall-clock time in the browser's zone as a UTC instant to the millisecond.</summary>
    static string Instant(string value, TimeZoneInfo zone) =>
        DateTime.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFF"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
            : value;
}
