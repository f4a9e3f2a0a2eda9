using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WebConsole;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The end-to-end tests of the console's forms encode them with <see cref="ConsoleScriptMirror"/>, a C# copy of
/// console.js's encoding; these tests keep the copy honest by running console.js itself (the embedded asset the app
/// serves) under Node on the same form data, in a zone that is not UTC, and comparing the JSON.
/// </summary>
public sealed partial class ConsoleScriptMirrorTests
{
    const string Zone = "Europe/Berlin";

    static readonly string Script = Encoding.UTF8.GetString(ConsoleAssets.Embedded.All.Single(a => a.Name == ConsoleAssets.Script).Bytes);

    /// <summary>A form with every kind, a list chosen twice (a multiple select), an empty field and an unticked box.</summary>
    static readonly RenderedForm Form = new("POST", "/api/x", new Dictionary<string, string>(),
    [
        Field("title"),
        Field("count", "number"),
        Field("page", "boolean", type: "checkbox"),
        Field("quiet", "boolean", type: "checkbox"),
        Field("people", "list"),
        Field("options", "lines"),
        Field("assignee", "object"),
        Field("occurredAt", "instant", type: "datetime-local"),
        Field("nextUpdateAt", "instant", type: "datetime-local"),
        Field("summary"),
    ]);

    static readonly (string Name, string Value)[] Entries =
    [
        ("title", "Checkout \"down\" <again>"),
        ("count", "3.5"),
        ("page", "on"),
        ("people", "alice, bob\ncarol"),
        ("people", "dana"),
        ("options", "Fail over, now\n\n Wait "),
        ("assignee", """{"person":"alice"}"""),
        ("occurredAt", "2026-07-01T10:00"),
        ("nextUpdateAt", "2026-12-04T10:00:30"),
        ("summary", ""),
    ];

    [Fact]
    public void TheMirrorKnowsExactlyTheKindsConsoleJsTypes()
    {
        var typed = Script[Script.IndexOf("function typed(", StringComparison.Ordinal)..Script.IndexOf("function instant(", StringComparison.Ordinal)];

        Assert.Equal(Case().Matches(typed).Select(m => m.Groups[1].Value).Order(), ConsoleScriptMirror.Kinds.Order());
    }

    [Fact]
    public async Task TheMirrorEncodesFormDataAsConsoleJsDoes()
    {
        var mirrored = JsonNode.Parse(ConsoleScriptMirror.Encode(Form, Entries, TimeZoneInfo.FindSystemTimeZoneById(Zone)));

        var script = JsonNode.Parse(await RunConsoleJsAsync(Form, Entries));

        Assert.True(JsonNode.DeepEquals(script, mirrored), $"console.js: {script}\nmirror:     {mirrored}");
        Assert.Equal(["alice", "bob", "carol", "dana"], mirrored!["people"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(["Fail over, now", "Wait"], mirrored["options"]!.AsArray().Select(p => (string)p!));
        Assert.False((bool)mirrored["quiet"]!);
        Assert.False(mirrored.AsObject().ContainsKey("summary"));
    }

    [Fact]
    public void ADateTimeLocalIsSentAsTheUtcInstantOfTheViewersWallClock()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById(Zone);

        Assert.Equal("2026-07-01T08:00:00.000Z", (string)ConsoleScriptMirror.Typed("instant", "2026-07-01T10:00", berlin)!);
        Assert.Equal("2026-12-04T09:00:30.000Z", (string)ConsoleScriptMirror.Typed("instant", "2026-12-04T10:00:30", berlin)!);
        Assert.Equal("not a time", (string)ConsoleScriptMirror.Typed("instant", "not a time", berlin)!);
    }

    static RenderedField Field(string name, string? kind = null, string type = "text") => new("input", type, name, kind, string.Empty, false, false, []);

    /// <summary>console.js's own encodeParameters, with htmx and the DOM stubbed to the form's fields.</summary>
    static async Task<string> RunConsoleJsAsync(RenderedForm form, IReadOnlyList<(string Name, string Value)> entries)
    {
        const string Harness = """
            const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
            let extension;
            globalThis.htmx = { defineExtension: (name, e) => { extension = e; }, onLoad: () => {} };
            globalThis.CSS = { escape: s => s };
            globalThis.document = { addEventListener: () => {}, querySelectorAll: () => [] };
            globalThis.setInterval = () => 0;
            new Function(input.script)();
            const field = name => input.fields.find(f => f.name === name);
            const form = {
              closest: () => null,
              getAttribute: () => null,
              querySelector: selector => {
                const named = /^\[name="(.*)"\]$/.exec(selector);
                const f = named && field(named[1]);
                return f ? { getAttribute: a => a === "data-json" ? f.kind : null } : null;
              },
              querySelectorAll: () => input.fields.filter(f => f.type === "checkbox" && f.kind === "boolean").map(f => ({ name: f.name })),
            };
            const parameters = { forEach: each => input.entries.forEach(([name, value]) => each(value, name)) };
            process.stdout.write(extension.encodeParameters({ overrideMimeType: () => {} }, parameters, form));
            """;
        var start = new ProcessStartInfo("node", ["-e", Harness])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["TZ"] = Zone },
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(JsonSerializer.Serialize(new
        {
            script = Script,
            fields = form.Fields.Select(f => new { name = f.Name, kind = f.Kind, type = f.Type }),
            entries = entries.Select(e => new[] { e.Name, e.Value }),
        }));
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, errors);
        return output;
    }

    [GeneratedRegex("""case "(\w+)":""")]
    private static partial Regex Case();
}
