using System.Text;
using System.Text.Json;
using IncidentFunctions.Http;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Unit;

public sealed class RequestBodyTests
{
    static HttpRequest Request(byte[] body, string? contentType = "application/json", long? contentLength = null)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.ContentType = contentType;
        request.Body = new MemoryStream(body);
        request.ContentLength = contentLength;
        return request;
    }

    static HttpRequest Request(string body, string? contentType = "application/json") =>
        Request(Encoding.UTF8.GetBytes(body), contentType);

    static Task<(JsonDocument? Document, Problem? Problem)> Read(HttpRequest request) =>
        RequestBody.ReadJsonAsync(request, CancellationToken.None);

    /// <summary>A body that must not be touched: the size check has to come before reading.</summary>
    sealed class UnreadableStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("The body was read.");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The body was read.");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Hands out at most three bytes per read, as a slow network would.</summary>
    sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 3));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/cloudevents+json")]
    [InlineData("application/vnd.api+json; charset=utf-8")]
    public async Task JsonContentTypesAreAccepted(string contentType)
    {
        var (document, problem) = await Read(Request("""{"title":"x"}""", contentType));

        using (document)
        {
            Assert.Null(problem);
            Assert.NotNull(document);
            Assert.Equal("x", document.RootElement.GetProperty("title").GetString());
        }
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    [InlineData("json")]
    [InlineData("")]
    [InlineData(null)]
    public async Task OtherContentTypesAreRefusedWith415NamingContentType(string? contentType)
    {
        var (document, problem) = await Read(Request("""{"title":"x"}""", contentType));

        Assert.Null(document);
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, problem.Status);
        Assert.Equal(["Content-Type"], problem.Errors!.Keys);
        Assert.Contains("Content-Type", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverTheLimitWithoutContentLengthIsRefusedWith413()
    {
        var body = Encoding.UTF8.GetBytes("\"" + new string('a', RequestBody.MaxBytes) + "\"");

        var (document, problem) = await Read(Request(body));

        Assert.Null(document);
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, problem.Status);
        Assert.Equal(["must be at most 262144 bytes"], problem.Errors!["body"]);
    }

    [Fact]
    public async Task BodyOfExactlyTheLimitIsAccepted()
    {
        var body = Encoding.UTF8.GetBytes("\"" + new string('a', RequestBody.MaxBytes - 2) + "\"");
        Assert.Equal(256 * 1024, body.Length);

        var (document, problem) = await Read(Request(body));

        using (document)
        {
            Assert.Null(problem);
            Assert.Equal(RequestBody.MaxBytes - 2, document!.RootElement.GetString()!.Length);
        }
    }

    [Fact]
    public async Task ContentLengthOverTheLimitIsRefusedWith413WithoutReading()
    {
        var request = new DefaultHttpContext().Request;
        request.ContentType = "application/json";
        request.ContentLength = RequestBody.MaxBytes + 1;
        request.Body = new UnreadableStream();

        var (document, problem) = await Read(request);

        Assert.Null(document);
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, problem.Status);
    }

    [Fact]
    public async Task ContentLengthIsCheckedBeforeTheBodyIsTouched()
    {
        var request = Request("{}"u8.ToArray(), contentLength: 10L * 1024 * 1024);

        var (_, problem) = await Read(request);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, problem!.Status);
        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task EmptyBodyIsRefusedWith400()
    {
        var (document, problem) = await Read(Request([]));

        Assert.Null(document);
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        Assert.Equal("The body is empty.", problem.Detail);
    }

    [Fact]
    public async Task TruncatedJsonIsRefusedWith400NamingTheLine()
    {
        var (document, problem) = await Read(Request("{\n  \"title\": \"x\",\n  \"severity\": \"hi"));

        Assert.Null(document);
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        Assert.StartsWith("Line 3, byte ", problem.Detail, StringComparison.Ordinal);
        Assert.Equal([problem.Detail], problem.Errors!["body"]);
    }

    [Fact]
    public async Task InvalidJsonOnTheFirstLineNamesLineOne()
    {
        var (_, problem) = await Read(Request("{'title': 'single quotes'}"));

        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        Assert.StartsWith("Line 1, byte 2: ", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NestingDeeperThan32IsRefusedWith400()
    {
        var json = new string('[', RequestBody.MaxDepth + 1) + new string(']', RequestBody.MaxDepth + 1);

        var (document, problem) = await Read(Request(json));

        Assert.Null(document);
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        Assert.Contains("32", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NestingOf32IsAccepted()
    {
        var json = new string('[', RequestBody.MaxDepth) + new string(']', RequestBody.MaxDepth);

        var (document, problem) = await Read(Request(json));

        using (document)
        {
            Assert.Null(problem);
            Assert.Equal(JsonValueKind.Array, document!.RootElement.ValueKind);
        }
    }

    [Fact]
    public async Task BodyDeliveredInSmallChunksIsReadWhole()
    {
        var request = Request("""{"title":"chunked","n":[1,2,3]}""");
        request.Body = new TrickleStream(Encoding.UTF8.GetBytes("""{"title":"chunked","n":[1,2,3]}"""));

        var (document, problem) = await Read(request);

        using (document)
        {
            Assert.Null(problem);
            Assert.Equal("chunked", document!.RootElement.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task DocumentIsNotChangedByReadingAnotherRequest()
    {
        var (first, _) = await Read(Request("""{"title":"first alert"}"""));
        using (first)
        {
            var (second, _) = await Read(Request("""{"title":"other alert"}"""));
            second?.Dispose();

            Assert.Equal("first alert", first!.RootElement.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task ABodyWithABadByteInsideAStringIsMalformedNamingTheByte()
    {
        // {"title":"a<0xFF>"}: well formed JSON around a byte that is not UTF-8, at the 12th byte.
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"title\":\"a"), 0xFF, .. Encoding.UTF8.GetBytes("\"}")];

        var (document, problem) = await Read(Request(body));

        Assert.Null(document);
        Assert.Equal(400, problem!.Status);
        Assert.Equal("Byte 12: the body is not valid UTF-8.", problem.Detail);
        Assert.True(problem.Errors!.ContainsKey("body"));
    }

    [Fact]
    public async Task MultiByteTextIsValidUtf8()
    {
        var body = Encoding.UTF8.GetBytes("""{"title":"Größe 😀"}""");

        var (document, problem) = await Read(Request(body));

        using (document)
        {
            Assert.Null(problem);
            Assert.Equal("Größe 😀", document!.RootElement.GetProperty("title").GetString());
        }
    }

    [Theory]
    [InlineData("""{"title":"a\ud800b","severity":"info"}""", 10)]
    [InlineData("""{"labels":{"\udfff":"x"}}""", 12)]
    [InlineData("""["ok",{"t":"\ud83d"}]""", 12)]
    public async Task AnEscapedLoneSurrogateIsMalformedNamingWhereItsStringStarts(string json, int bytePosition)
    {
        var (document, problem) = await Read(Request(json));

        Assert.Null(document);
        Assert.Equal(400, problem!.Status);
        Assert.Equal($"Byte {bytePosition}: a string escapes a lone UTF-16 surrogate, which is not text.", problem.Detail);
    }

    [Fact]
    public async Task AnEscapedSurrogatePairIsText()
    {
        var (document, problem) = await Read(Request("""{"title":"\ud83d\ude00"}"""));

        using (document)
        {
            Assert.Null(problem);
            Assert.Equal("😀", document!.RootElement.GetProperty("title").GetString());
        }
    }
}
