using System.Net;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>
/// ASVS 5.0 §6.2: a password from a list of common or breached passwords is the first one an
/// attacker sprays or tries against a stolen hash. It is refused on create, change and admin
/// reset, in any case; the error names the rule and never echoes the password. Anything else of
/// 12 to 128 characters is allowed, all of Unicode, with no composition rules.
/// </summary>
[Collection(LoginAndSessionCluster.Name)]
public sealed class BreachedPasswordTests(ApiFixture fixture)
{
    private const string Password = TestSettings.UserPassword;
    private const string ListedRule = "common or breached";

    // Both are in the shipped lists in lower case; the tests send other cases.
    public static readonly TheoryData<string> ListedInAnotherCase = new() { "1QAZ2WSX3EDC", "Qwerty123456" };

    [Fact]
    public void ShippedLists_HoldAtLeast100000DistinctPasswords_ComparedCaseInsensitively()
    {
        var all = CommonPasswords.Load(minLength: 0);

        Assert.True(all.Count >= 100_000, $"the shipped lists hold {all.Count} distinct passwords");
        Assert.Contains("QWERTY", (IReadOnlySet<string>)all);
        Assert.True(CommonPasswords.Contains("1qaz2wsx3edc"));
        Assert.True(CommonPasswords.Contains("1QAZ2wsx3EDC"));
    }

    [Theory]
    [MemberData(nameof(ListedInAnotherCase))]
    public async Task CreateUser_WithABreachedPasswordInAnyCase_Is400NamingTheRule_AndNoAccountExists(string listed)
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = "breached" + Guid.NewGuid().ToString("N")[..10];

        var response = await http.SendAsync(HttpMethod.Post, "/admin/users", admin,
            new { username, password = listed, email = $"{username}@example.test" });

        await AssertRefusedByTheListAsync(response, listed);
        await (await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", admin)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.PostLoginAsync(username, listed)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Theory]
    [MemberData(nameof(ListedInAnotherCase))]
    public async Task ChangePassword_ToABreachedPasswordInAnyCase_Is400NamingTheRule_AndTheOldOneStillWorks(string listed)
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync(), password: Password);
        var token = await http.LoginAsync(username, Password);

        var response = await http.SendAsync(HttpMethod.Post, "/auth/change-password", token,
            new { old_password = Password, new_password = listed });

        await AssertRefusedByTheListAsync(response, listed);
        await (await http.PostLoginAsync(username, listed)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, Password)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(ListedInAnotherCase))]
    public async Task AdminReset_ToABreachedPasswordInAnyCase_Is400NamingTheRule_AndTheOldOneStillWorks(string listed)
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = await http.CreateUserAsync(admin, password: Password);

        var response = await http.SendAsync(HttpMethod.Post, $"/admin/users/{username}/reset-password", admin,
            new { new_password = listed });

        await AssertRefusedByTheListAsync(response, listed);
        await (await http.PostLoginAsync(username, listed)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, Password)).StatusCode);
    }

    [Fact]
    public async Task UnlistedUnicodePasswordOf128Characters_WithoutAnyCompositionRule_IsAcceptedOnCreateChangeAndReset()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = "unicode" + Guid.NewGuid().ToString("N")[..10];
        // 128 Unicode scalar values: astral emoji (two UTF-16 units each), CJK, accents, spaces; no digit, no capital.
        var first = string.Concat(Enumerable.Repeat("🐈雪é ", 32));
        var second = string.Concat(Enumerable.Repeat("ßüñ😀", 32));
        var third = "только строчные буквы без цифр";
        Assert.Equal(PasswordPolicy.MaxLength, first.EnumerateRunes().Count());
        Assert.Equal(PasswordPolicy.MaxLength, second.EnumerateRunes().Count());

        var created = await http.SendAsync(HttpMethod.Post, "/admin/users", admin,
            new { username, password = first, email = $"{username}@example.test" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = await http.LoginAsync(username, first);
        var changed = await http.SendAsync(HttpMethod.Post, "/auth/change-password", token,
            new { old_password = first, new_password = second });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await http.LoginAsync(username, second);
        var reset = await http.SendAsync(HttpMethod.Post, $"/admin/users/{username}/reset-password", admin,
            new { new_password = third });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        await http.LoginAsync(username, third);
    }

    private static async Task AssertRefusedByTheListAsync(HttpResponseMessage response, string listed)
    {
        var raw = await response.Content.ReadAsStringAsync();
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains(ListedRule, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(listed, raw, StringComparison.OrdinalIgnoreCase);
    }
}
