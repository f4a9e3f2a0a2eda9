using System.Text.Json.Nodes;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>The sample payloads of Microsoft's common alert schema page, in Fixtures/AzureMonitor (see its README).</summary>
public static class AzureMonitorSamples
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "AzureMonitor");

    /// <summary>The sample's file name without ".json".</summary>
    public static IReadOnlyList<string> Names =>
        System.IO.Directory.GetFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList()!;

    public static string Read(string name) => File.ReadAllText(Path.Combine(Directory, name + ".json"));

    /// <summary>A sample with fields set (to a JSON value) or removed (null) at dotted paths.</summary>
    public static string With(string name, params (string Path, string? Json)[] edits) => Edit(Read(name), edits);

    /// <summary>A JSON object with fields set (to a JSON value) or removed (null) at dotted paths.</summary>
    public static string Edit(string json, params (string Path, string? Json)[] edits)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        foreach (var (path, value) in edits)
        {
            var segments = path.Split('.');
            var parent = root;
            foreach (var segment in segments[..^1])
            {
                parent = parent[segment]!.AsObject();
            }

            if (value is null)
            {
                parent.Remove(segments[^1]);
            }
            else
            {
                parent[segments[^1]] = JsonNode.Parse(value);
            }
        }

        return root.ToJsonString();
    }
}
