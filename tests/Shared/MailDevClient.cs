using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.TestTools;

/// <summary>An email as MailDev's REST API returns it (the fields the tests and benchmarks read).</summary>
public sealed record MailDevEmail(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("to")] IReadOnlyList<MailDevAddress> To,
    [property: JsonPropertyName("from")] IReadOnlyList<MailDevAddress> From,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("html")] string? Html,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, JsonElement> Headers)
{
    /// <summary>A header's value; MailDev lower-cases header names.</summary>
    public string? Header(string name) =>
        Headers.TryGetValue(name.ToLowerInvariant(), out var value)
            ? value.ValueKind == JsonValueKind.Array ? value[0].GetString() : value.GetString()
            : null;

    public bool IsTo(string address) => To.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase));
}

public sealed record MailDevAddress([property: JsonPropertyName("address")] string Address, [property: JsonPropertyName("name")] string? Name);

/// <summary>MailDev's REST API (GET /api/email), used by tests and benchmarks to see what was delivered.</summary>
public sealed class MailDevClient(Uri webBase) : IDisposable
{
    readonly HttpClient http = new() { BaseAddress = webBase, Timeout = TimeSpan.FromSeconds(30) };

    public MailDevClient(MailDevPorts ports)
        : this(new Uri($"http://127.0.0.1:{ports.Web}/"))
    {
    }

    /// <summary>Every email in the inbox, in arrival order; optionally only those with this header value.</summary>
    public async Task<IReadOnlyList<MailDevEmail>> ListAsync(string? header = null, string? value = null, CancellationToken ct = default)
    {
        var path = header is null ? "api/email" : $"api/email?headers.{Uri.EscapeDataString(header.ToLowerInvariant())}={Uri.EscapeDataString(value ?? string.Empty)}";
        return await http.GetFromJsonAsync<List<MailDevEmail>>(path, ct) ?? [];
    }

    /// <summary>
    /// Deletes these emails (POST /api/email/delete). A reader that deletes what it has read keeps each listing short,
    /// however many thousands of emails a run delivers.
    /// </summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("api/email/delete", new { ids }, ct);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => http.Dispose();
}
