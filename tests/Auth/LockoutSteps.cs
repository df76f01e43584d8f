using System.Net;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>What the lockout tests do to an account, and how they check the answer.</summary>
internal static class LockoutSteps
{
    /// <summary>The lock began at some moment between these two.</summary>
    public readonly record struct LockStart(DateTimeOffset NotBefore, DateTimeOffset NotAfter);

    public const string Password = TestSettings.UserPassword;
    public const int Threshold = 10;

    private static int _lastIp;

    /// <summary>
    /// A client IP no test has used yet. The failures come from many IPs, as in credential
    /// stuffing, which is what the per-account rule is for; it also keeps per-IP limits out of
    /// these tests.
    /// </summary>
    public static string NewIp()
    {
        var n = Interlocked.Increment(ref _lastIp);
        return $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";
    }

    public static async Task FailAsync(HttpClient http, string username, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await AssertRefusedAsync(await http.PostLoginAsync(username, $"wrong guess number {i}", NewIp()));
        }
    }

    /// <summary>Fails <see cref="Threshold"/> times; returns the bounds of the moment the lock began.</summary>
    public static async Task<LockStart> LockAsync(HttpClient http, string username)
    {
        await FailAsync(http, username, Threshold - 1);
        var notBefore = DateTimeOffset.UtcNow;
        await FailAsync(http, username, 1);
        return new LockStart(notBefore, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Tries the right password from a new IP: true when refused; false when let in while a lock
    /// ending no sooner than <paramref name="lockEndsNoSoonerThan"/> should have held; null when
    /// let in but answered too late to tell.
    /// </summary>
    public static async Task<bool?> IsLockedAsync(HttpClient http, string username, DateTimeOffset lockEndsNoSoonerThan)
    {
        var response = await TryRightPasswordAsync(http, username);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await AssertRefusedAsync(response);
            return true;
        }

        return DateTimeOffset.UtcNow < lockEndsNoSoonerThan ? false : null;
    }

    public static Task<HttpResponseMessage> TryRightPasswordAsync(HttpClient http, string username) =>
        http.PostLoginAsync(username, Password, NewIp());

    /// <summary>The one answer to every failed login (API.md, Authentication).</summary>
    public static async Task<JsonNode> AssertRefusedAsync(HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal("Incorrect username or password", problem["detail"]!.GetValue<string>());
        return problem;
    }

    /// <summary>
    /// The problem's member names, and the values of all but those that differ on every request
    /// (its ids and timestamp).
    /// </summary>
    public static string Comparable(JsonNode problem)
    {
        var copy = problem.DeepClone().AsObject();
        foreach (var perRequest in new[] { "request_id", "trace_id", "timestamp" })
        {
            if (copy.ContainsKey(perRequest))
            {
                copy[perRequest] = "(per request)";
            }
        }

        return copy.ToJsonString();
    }

    public static async Task WaitUntilAsync(DateTimeOffset moment)
    {
        var remaining = moment - DateTimeOffset.UtcNow;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }
    }
}
