using System.Text;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Faults;

/// <summary>How an endpoint family reads its body.</summary>
public enum BodyKind
{
    Json,
    Form,
    Multipart,
}

/// <summary>
/// One endpoint of each family that reads a request body, with a well-formed body into which a
/// test splices a malformed value (raw bytes, so that invalid UTF-8 stays invalid).
/// </summary>
public sealed record BodyEndpoint(string Family, string Path, BodyKind Kind, bool NeedsAdmin, string Field)
{
    public const string Boundary = "fault-boundary-7f3a";

    public static readonly IReadOnlyList<BodyEndpoint> All =
    [
        new("login-json", "/auth/login", BodyKind.Json, false, "username"),
        new("login-form", "/auth/login", BodyKind.Form, false, "username"),
        new("login-multipart", "/auth/login", BodyKind.Multipart, false, "username"),
        new("user-admin", "/admin/users", BodyKind.Json, true, "username"),
        new("projects", "/surveillance/projects", BodyKind.Json, true, "name"),
        new("upload-fields", "/surveillance/upload", BodyKind.Multipart, true, "description"),
        new("results", "/surveillance/videos/no-such-video/results", BodyKind.Json, true, "model_version"),
        new("search", "/surveillance/search", BodyKind.Json, true, "query"),
    ];

    public static BodyEndpoint Named(string family) => All.Single(e => e.Family == family);

    public static IEnumerable<string> Families(params BodyKind[] kinds) => All.Where(e => kinds.Contains(e.Kind)).Select(e => e.Family);

    public string ContentType(string? boundary = Boundary) => Kind switch
    {
        BodyKind.Json => "application/json",
        BodyKind.Form => "application/x-www-form-urlencoded",
        _ => boundary is null ? "multipart/form-data" : $"multipart/form-data; boundary={boundary}",
    };

    /// <summary>The family's body with <paramref name="value"/> (already encoded for the body kind) as <see cref="Field"/>.</summary>
    public byte[] BodyWith(byte[] value, string boundary = Boundary)
    {
        var (before, after) = Kind switch
        {
            BodyKind.Json => Family switch
            {
                "login-json" => ("{\"username\":\"", "\",\"password\":\"not-the-password\"}"),
                "user-admin" => ("{\"username\":\"", "\",\"password\":\"" + TestSettings.UserPassword + "\",\"email\":\"f@example.test\",\"roles\":[\"viewer\"]}"),
                "projects" => ("{\"project_id\":\"faultproj\",\"name\":\"", "\"}"),
                "results" => ("{\"model_version\":\"", "\",\"frames\":[{\"timestamp\":1,\"caption\":\"a car\"}]}"),
                _ => ("{\"query\":\"", "\",\"limit\":5}"),
            },
            BodyKind.Form => ("username=", "&password=not-the-password&grant_type=password"),
            _ => (Part("project_id", "faultproj", boundary) + $"--{boundary}\r\nContent-Disposition: form-data; name=\"{Field}\"\r\n\r\n",
                "\r\n" + Part("password", "not-the-password", boundary) + $"--{boundary}--\r\n"),
        };
        return [.. Encoding.UTF8.GetBytes(before), .. value, .. Encoding.UTF8.GetBytes(after)];
    }

    public byte[] WellFormedBody() => BodyWith("abc"u8.ToArray());

    private static string Part(string name, string value, string boundary) =>
        $"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n";
}
