using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Http;

/// <summary>
/// The signed-in user as App Service Authentication (Easy Auth) passes it: a base64 JSON document in
/// X-MS-CLIENT-PRINCIPAL. In Azure the platform strips any client-sent copy of the header and sets its own, so it can be
/// trusted there, and only there: routes ask <see cref="SignIn"/>, which reads the header only when
/// <see cref="AuthenticationOptions.EasyAuthEnabled"/> says Easy Auth (or the dev host, playing its part) wrote it.
/// </summary>
public sealed record ClientPrincipal(string Name, string IdentityProvider)
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";

    public static ClientPrincipal? From(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(values.ToString())));
            var root = document.RootElement;
            var provider = root.TryGetProperty("auth_typ", out var p) ? p.GetString() ?? "unknown" : "unknown";
            var nameType = root.TryGetProperty("name_typ", out var nt) ? nt.GetString() : null;
            string? name = null;
            if (root.TryGetProperty("claims", out var claims) && claims.ValueKind == JsonValueKind.Array)
            {
                foreach (var claim in claims.EnumerateArray())
                {
                    var type = claim.TryGetProperty("typ", out var t) ? t.GetString() : null;
                    if (type is not null && (type == nameType || type is "name" or "preferred_username"))
                    {
                        name = claim.TryGetProperty("val", out var v) ? v.GetString() : null;
                        if (name is not null)
                        {
                            break;
                        }
                    }
                }
            }

            return string.IsNullOrWhiteSpace(name) ? null : new ClientPrincipal(name, provider);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Encodes a principal the way Easy Auth does; the dev host and the tests use it.</summary>
    public static string Encode(string name, string provider = "aad")
    {
        var json = JsonSerializer.Serialize(new
        {
            auth_typ = provider,
            name_typ = "name",
            role_typ = "roles",
            claims = new[] { new { typ = "name", val = name } },
        });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }
}
