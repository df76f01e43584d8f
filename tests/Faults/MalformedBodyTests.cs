using System.Net;
using System.Text;

namespace Surveillance.Tests.Faults;

/// <summary>
/// Issue 12: every decoding or framing error in a request body is the client's fault and answers
/// 400 <c>VALIDATION_ERROR</c> problem+json, never a 500. Each malformation class is tried at each
/// endpoint family that reads a body, on a real Kestrel connection, before and after authentication
/// (the intrusion-detection body walk runs before it, so no token is needed to reach the readers).
/// </summary>
public sealed class MalformedBodyTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    public static TheoryData<string> JsonFamilies => new(BodyEndpoint.Families(BodyKind.Json));
    public static TheoryData<string> MultipartFamilies => new(BodyEndpoint.Families(BodyKind.Multipart));
    public static TheoryData<string> AllFamilies => new(BodyEndpoint.All.Select(e => e.Family));

    [Fact]
    public async Task SearchQueryWithInvalidUtf8_TheIssueExample_Is400_Not500()
    {
        // printf '{"query":"a\xff\xfe"}' | curl -X POST …/surveillance/search -H 'Content-Type: application/json' --data-binary @-
        var response = await SendAsync(BodyEndpoint.Named("search"), "application/json", [.. "{\"query\":\"a"u8, 0xFF, 0xFE, .. "\"}"u8]);

        AssertValidationProblem(response);
    }

    [Theory]
    [MemberData(nameof(JsonFamilies))]
    public async Task InvalidUtf8InsideJsonString_Is400ValidationError(string family)
    {
        var endpoint = BodyEndpoint.Named(family);
        var response = await SendAsync(endpoint, endpoint.ContentType(), endpoint.BodyWith([0x61, 0xFF, 0xFE, 0xC3]));

        AssertValidationProblem(response);
    }

    [Theory]
    [MemberData(nameof(JsonFamilies))]
    public async Task LoneSurrogateEscapeInJson_Is400ValidationError(string family)
    {
        var endpoint = BodyEndpoint.Named(family);
        var response = await SendAsync(endpoint, endpoint.ContentType(), endpoint.BodyWith(@"a\ud800b"u8.ToArray()));

        AssertValidationProblem(response);
    }

    [Theory]
    [MemberData(nameof(JsonFamilies))]
    public async Task InvalidUtf8InASecretJsonMember_Is400ValidationError(string family)
    {
        // Passwords are not walked by intrusion detection: their reader must refuse the bytes itself.
        var endpoint = BodyEndpoint.Named(family);
        byte[] body = [.. "{\"password\":\"x"u8, 0xFF, .. "\",\"old_password\":\"\\udc00\"}"u8];
        var response = await SendAsync(endpoint, endpoint.ContentType(), body);

        AssertValidationProblem(response);
    }

    [Fact]
    public async Task PercentEncodedNulInFormValue_Is400ValidationError()
    {
        var endpoint = BodyEndpoint.Named("login-form");
        var response = await SendAsync(endpoint, endpoint.ContentType(), endpoint.BodyWith("ab%00cd"u8.ToArray()));

        AssertValidationProblem(response);
    }

    [Theory]
    [MemberData(nameof(MultipartFamilies))]
    public async Task MultipartWithoutBoundary_Is400ValidationError(string family)
    {
        var endpoint = BodyEndpoint.Named(family);
        var response = await SendAsync(endpoint, endpoint.ContentType(boundary: null), endpoint.WellFormedBody());

        AssertValidationProblem(response);
    }

    [Theory]
    [MemberData(nameof(MultipartFamilies))]
    public async Task MultipartBoundaryLongerThanTheLimit_Is400ValidationError(string family)
    {
        // RFC 2046 §5.1.1 allows 70 characters; ASP.NET's form reader stops at 128, the upload at 200.
        var boundary = new string('b', 250);
        var endpoint = BodyEndpoint.Named(family);
        var response = await SendAsync(endpoint, endpoint.ContentType(boundary), endpoint.BodyWith("abc"u8.ToArray(), boundary));

        AssertValidationProblem(response);
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public async Task InvalidChunkSize_Is400ValidationError(string family)
    {
        var endpoint = BodyEndpoint.Named(family);
        var body = endpoint.WellFormedBody();
        // A first chunk that is honest, then a size line that is not hexadecimal.
        byte[] chunked = [.. Encoding.ASCII.GetBytes($"{8:x}\r\n"), .. body.AsSpan(0, 8), .. "\r\nzz\r\n"u8, .. body.AsSpan(8), .. "\r\n0\r\n\r\n"u8];
        var response = await SendAsync(endpoint, endpoint.ContentType(), chunked, chunkedFraming: true);

        AssertValidationProblem(response);
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public async Task BodyEndingBeforeItsContentLength_Is400ValidationError(string family)
    {
        // The client half-closes mid-body, so the answer may find no reader: the server's own record of it is checked.
        var endpoint = BodyEndpoint.Named(family);
        var body = endpoint.WellFormedBody();
        var requestId = "truncated-" + Guid.NewGuid().ToString("N");
        var request = RawHttp.Request("POST", endpoint.Path, await HeadersAsync(endpoint, endpoint.ContentType(),
            ("Content-Length", (body.Length + 100).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("X-Request-Id", requestId)),
            body, contentLength: false);

        await RawHttp.SendAndLeaveAsync(fixture.Port, request);

        var answer = await fixture.Recorder.WaitForAsync(requestId, TimeSpan.FromSeconds(30));
        Assert.False(answer.ExceptionEscaped, $"{family}: an exception escaped every handler");
        // 400 when the server saw the body end; 499 (nothing written) when it saw the client leave first.
        Assert.True(answer.Status is 400 or 499, $"{family}: {answer}");
        if (answer.Status == 400)
        {
            Assert.StartsWith("application/problem+json", answer.ContentType);
        }
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public async Task WellFormedBody_IsNotRefusedAsMalformed(string family)
    {
        // The control: the bodies above fail for their malformation, not for the template around it.
        var endpoint = BodyEndpoint.Named(family);
        var response = await SendAsync(endpoint, endpoint.ContentType(), endpoint.WellFormedBody());

        Assert.True(response.Status < 500, $"{family}: {response}");
        Assert.False(response.Status == 400 && response.ErrorCode == "VALIDATION_ERROR" && response.Body.Contains("malformed", StringComparison.OrdinalIgnoreCase),
            $"{family}: {response}");
    }

    private static void AssertValidationProblem(RawResponse response)
    {
        Assert.True(response.Status == (int)HttpStatusCode.BadRequest, response.ToString());
        Assert.True(response.IsProblemJson, response.ToString());
        Assert.Equal("VALIDATION_ERROR", response.ErrorCode);
        Assert.False(string.IsNullOrEmpty(response.RequestId));
    }

    private async Task<RawResponse> SendAsync(BodyEndpoint endpoint, string contentType, byte[] body, bool chunkedFraming = false)
    {
        var headers = await HeadersAsync(endpoint, contentType, chunkedFraming ? [("Transfer-Encoding", "chunked")] : []);
        return await RawHttp.SendAsync(fixture.Port, RawHttp.Request("POST", endpoint.Path, headers, body, contentLength: !chunkedFraming));
    }

    private async Task<List<(string, string)>> HeadersAsync(BodyEndpoint endpoint, string contentType, params (string, string)[] extra)
    {
        var headers = new List<(string, string)> { ("Content-Type", contentType) };
        if (endpoint.NeedsAdmin)
        {
            headers.Add(("Authorization", "Bearer " + await fixture.AdminTokenAsync()));
        }

        headers.AddRange(extra);

        return headers;
    }
}
