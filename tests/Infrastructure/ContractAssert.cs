using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Surveillance.Tests.Infrastructure;

/// <summary>Assertions on the contract's formats (API.md) that tests of several features share.</summary>
public static partial class ContractAssert
{
    /// <summary>API.md: times are ISO-8601 UTC written with <c>Z</c>, e.g. <c>2026-11-27T10:30:00Z</c>.</summary>
    public static void UtcTimestamp(string value)
    {
        Assert.Matches(UtcIso8601(), value);
        var parsed = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
        Assert.InRange(parsed, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    /// <summary>A stored time in a JSON member: ISO-8601 UTC with <c>Z</c>, of any age; returns it.</summary>
    public static DateTimeOffset UtcTimestampOf(JsonNode? node)
    {
        var text = node?.GetValue<string>();
        Assert.NotNull(text);
        Assert.Matches(UtcIso8601(), text);
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    /// <summary>API.md: a user is <c>{username,email,roles,is_active,created_at,last_login}</c>, times in UTC.</summary>
    public static void User(JsonNode user, string username, string email, string[] roles, bool isActive)
    {
        Assert.Equal(username, user["username"]!.GetValue<string>());
        Assert.Equal(email, user["email"]!.GetValue<string>());
        Assert.Equal(roles.Order(StringComparer.Ordinal), Roles(user));
        Assert.Equal(isActive, user["is_active"]!.GetValue<bool>());
        var createdAt = UtcTimestampOf(user["created_at"]);
        Assert.InRange(createdAt, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(user.AsObject().ContainsKey("last_login"), "the user lacks 'last_login'");
        if (user["last_login"] is { } lastLogin)
        {
            UtcTimestampOf(lastLogin);
        }

        Assert.DoesNotContain(user.AsObject(), member =>
            member.Key.Contains("hash", StringComparison.OrdinalIgnoreCase)
            || member.Key.Contains("password", StringComparison.OrdinalIgnoreCase)
            || member.Key.Contains("salt", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A user's roles, sorted (ordinal).</summary>
    public static string[] Roles(JsonNode user) =>
        [.. user["roles"]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")]
    private static partial Regex UtcIso8601();
}
