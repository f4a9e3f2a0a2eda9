using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// The console's static files, embedded in the assembly (the project file lists them: the console's own stylesheet
/// and script, and the browser libraries package.json pins). Each is served under a name that carries a hash of its
/// bytes, so a browser may cache it for a year and a new build is fetched at once; no CDN, nothing from elsewhere.
/// </summary>
public sealed class ConsoleAssets
{
    const string ResourcePrefix = "console-asset:";

    public const string Stylesheet = "console.css";
    public const string Script = "console.js";
    public const string Htmx = "htmx.min.js";
    public const string Charts = "uPlot.iife.min.js";
    public const string ChartsStylesheet = "uPlot.min.css";

    /// <summary>Draws the dashboard's charts from their figures' data attributes; loaded by that page only, after uPlot.</summary>
    public const string DashboardScript = "dashboard.js";

    public static readonly ConsoleAssets Embedded = Load(typeof(ConsoleAssets).Assembly);

    readonly FrozenDictionary<string, Asset> byServedName;
    readonly FrozenDictionary<string, string> servedNameOf;

    ConsoleAssets(IReadOnlyCollection<Asset> assets)
    {
        byServedName = assets.ToFrozenDictionary(a => a.ServedName, StringComparer.Ordinal);
        servedNameOf = assets.ToFrozenDictionary(a => a.Name, a => a.ServedName, StringComparer.Ordinal);
    }

    /// <summary>The path a page links to: /api/console/assets/{name with its hash}.</summary>
    public string Url(string name) =>
        servedNameOf.TryGetValue(name, out var served)
            ? $"/{Routes.Prefix}/{Routes.ConsoleAsset.Replace("{file}", served, StringComparison.Ordinal)}"
            : throw new ArgumentException($"No console asset is named {name}; the project file embeds them.", nameof(name));

    /// <summary>The asset a hashed name serves; null for any other name (an old build's hash included).</summary>
    public Asset? Find(string servedName) => byServedName.GetValueOrDefault(servedName);

    public IEnumerable<Asset> All => byServedName.Values;

    static ConsoleAssets Load(Assembly assembly)
    {
        var assets = new List<Asset>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
            var extension = Path.GetExtension(name);
            assets.Add(new Asset(name, $"{Path.GetFileNameWithoutExtension(name)}.{hash}{extension}", ContentTypeOf(extension), bytes));
        }

        return new ConsoleAssets(assets);
    }

    static string ContentTypeOf(string extension) => extension switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    public sealed record Asset(string Name, string ServedName, string ContentType, byte[] Bytes);
}
