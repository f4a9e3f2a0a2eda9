using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Notifications;

/// <summary>
/// Sends through Azure Communication Services Email over its REST API (the SDK package is not available to this
/// project). The Operation-Id header carries the message's idempotency key, so however often a send is retried,
/// here or by the calling activity, ACS sends the email once.
/// </summary>
internal sealed class AcsEmailSender(
    IHttpClientFactory httpClients,
    IOptions<EmailOptions> options,
    AcsAuthentication authentication,
    TimeProvider time,
    ILogger<AcsEmailSender> logger) : IEmailSender
{
    public const string HttpClientName = "AcsEmail";
    const string ApiVersion = "2023-03-31";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        // EmailOptionsValidator has made sure of the settings used with '!' here.
        var email = options.Value;
        var acs = email.Acs;
        var uri = new Uri($"{acs.Endpoint!.AbsoluteUri.TrimEnd('/')}/emails:send?api-version={ApiVersion}");
        var body = JsonSerializer.SerializeToUtf8Bytes(ToRequest(message, email.From!), Json);

        // A client per send from the factory rather than one held by this singleton, so that the factory can rotate
        // its handlers (and pick up DNS changes) underneath.
        var http = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            var failure = await TrySendAsync(http, uri, body, message.IdempotencyKey, ct);
            if (failure is null)
            {
                // 202 means ACS has accepted the message; its delivery status is not polled, because nothing here
                // would act on it and the Operation-Id already makes a retried send harmless.
                logger.LogInformation("Email {IdempotencyKey} accepted by ACS on attempt {Attempt}", message.IdempotencyKey, attempt);
                return;
            }

            var delay = failure.RetryAfter ?? Backoff(acs, attempt);
            if (attempt >= acs.MaxAttempts)
            {
                throw new HttpRequestException(
                    $"ACS did not accept email {message.IdempotencyKey} after {attempt} attempts; the last: {failure.Reason}.",
                    failure.Exception,
                    failure.Status);
            }

            if (delay > acs.MaxRetryDelay)
            {
                throw new HttpRequestException(
                    $"ACS did not accept email {message.IdempotencyKey} ({failure.Reason}) and asked to wait {delay}, longer than {EmailOptions.Section}:Acs:MaxRetryDelay.",
                    failure.Exception,
                    failure.Status);
            }

            logger.LogWarning(
                "ACS did not accept email {IdempotencyKey} ({Reason}); retrying in {RetryDelay} (attempt {Attempt} of {MaxAttempts})",
                message.IdempotencyKey, failure.Reason, delay, attempt, acs.MaxAttempts);
            await Task.Delay(delay, time, ct);
        }
    }

    /// <summary>One attempt: null when ACS accepted the message, the failure when a retry may succeed; throws otherwise.</summary>
    async Task<Failure?> TrySendAsync(HttpClient http, Uri uri, byte[] body, Guid idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add("Operation-Id", idempotencyKey.ToString());
        await authentication.AuthenticateAsync(request, body, ct);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            return new Failure(e.Message, null, null, e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            return new Failure("no answer within the request timeout", null, null, e);
        }

        using (response)
        {
            var status = response.StatusCode;
            if (status == HttpStatusCode.Accepted)
            {
                return null;
            }

            if (status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500)
            {
                return new Failure($"{(int)status} {status}", status, RetryAfter(response), null);
            }

            throw new EmailRejectedException(
                $"ACS refused email {idempotencyKey} with {(int)status} {status}: {await ErrorMessageAsync(response, ct)}");
        }
    }

    public Task RehearseAsync(EmailMessage message, CancellationToken ct)
    {
        JsonSerializer.SerializeToUtf8Bytes(ToRequest(message, options.Value.From!), Json);
        return Task.CompletedTask;
    }

    static TimeSpan Backoff(AcsOptions acs, int attempt)
    {
        // Jitter keeps activities that failed together from retrying together.
        var seconds = acs.RetryDelay.TotalSeconds * Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return TimeSpan.FromSeconds(Math.Min(seconds, acs.MaxRetryDelay.TotalSeconds));
    }

    /// <summary>The wait ACS asks for: retry-after-ms (as Azure's own SDKs read it first), else Retry-After.</summary>
    TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        foreach (var name in (string[])["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValues(name, out var values)
                && double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
                && ms >= 0)
            {
                return TimeSpan.FromMilliseconds(ms);
            }
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
            _ => null,
        };
    }

    /// <summary>ACS's own explanation ({"error":{"code","message"}}), else the start of whatever it sent.</summary>
    static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                var detail = error.TryGetProperty("message", out var m) ? m.GetString() : null;
                return code is null ? detail ?? text : $"{code}: {detail}";
            }
        }
        catch (JsonException)
        {
            // Not ACS's error shape (a proxy's page, say): the raw text below is the best explanation there is.
        }

        return text.Length switch
        {
            0 => response.ReasonPhrase ?? "no explanation",
            > 500 => text[..500],
            _ => text,
        };
    }

    static SendRequest ToRequest(EmailMessage message, string from) => new(
        from,
        new SendRecipients([new SendAddress(message.To.Address, message.To.DisplayName)]),
        new SendContent(message.Subject, message.PlainText, message.Html),
        message.Headers.Count > 0 ? message.Headers : null);

    sealed record Failure(string Reason, HttpStatusCode? Status, TimeSpan? RetryAfter, Exception? Exception);

    sealed record SendRequest(string SenderAddress, SendRecipients Recipients, SendContent Content, IReadOnlyDictionary<string, string>? Headers);

    sealed record SendRecipients(IReadOnlyList<SendAddress> To);

    sealed record SendAddress(string Address, string? DisplayName);

    sealed record SendContent(string Subject, string PlainText, string Html);
}
