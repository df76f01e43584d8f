using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Admin;

/// <summary>API.md "Administration": the <c>/admin/users</c> endpoints as an administrator uses them.</summary>
[Collection(UserAdministrationCluster.Name)]
public sealed class UserAdministrationTests(ApiFixture fixture)
{
    private const string Password = TestSettings.UserPassword;

    // ---- Happy paths and the response shape -------------------------------------------------

    [Fact]
    public async Task CreateUser_Is201_WithTheUserShape_AndNeverThePasswordOrItsHash()
    {
        var http = fixture.CreateClient();
        var username = NewName("created");
        var password = "a secret nobody sees " + Guid.NewGuid().ToString("N")[..6];

        var response = await http.SendAsync(HttpMethod.Post, "/admin/users", await fixture.AdminTokenOnceAsync(),
            new { username, password, email = $"{username}@example.test", roles = new[] { "operator" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        var user = JsonNode.Parse(raw)!;
        ContractAssert.User(user, username, $"{username}@example.test", ["operator"], isActive: true);
        Assert.Null(user["last_login"]);
        AssertNoSecrets(raw, password);
    }

    [Fact]
    public async Task CreateUser_MixedCaseUsername_IsStoredLowercase_AndFoundInAnyCase()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var lower = NewName("mixed.case-");

        var created = await http.SendAsync(HttpMethod.Post, "/admin/users", token,
            new { username = lower.ToUpperInvariant(), password = Password, email = $"{lower}@example.test" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(lower, (await created.ReadJsonAsync())["username"]!.GetValue<string>());
        var byUpper = await http.SendAsync(HttpMethod.Get, $"/admin/users/{lower.ToUpperInvariant()}", token);
        Assert.Equal(HttpStatusCode.OK, byUpper.StatusCode);
        Assert.Equal(lower, (await byUpper.ReadJsonAsync())["username"]!.GetValue<string>());
    }

    [Theory]
    [InlineData($$$"""{"username":"{user}","password":"{{{TestSettings.UserPassword}}}","email":"{user}@example.test"}""")]
    [InlineData($$$"""{"username":"{user}","password":"{{{TestSettings.UserPassword}}}","email":"{user}@example.test","roles":null}""")]
    [InlineData($$$"""{"username":"{user}","password":"{{{TestSettings.UserPassword}}}","email":"{user}@example.test","roles":[]}""")]
    public async Task CreateUser_WithoutRoles_GetsViewer(string template)
    {
        var username = NewName("noroles");

        var response = await SendJsonAsync(HttpMethod.Post, "/admin/users", template.Replace("{user}", username, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["viewer"], ContractAssert.Roles(await response.ReadJsonAsync()));
    }

    [Fact]
    public async Task CreateUser_AtTheBoundaries_Username3And64_Password12And128_IsAccepted_AndLogsIn()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var cases = new[]
        {
            (Username: "a-1", Password: "twelve-chars"),
            (Username: new string('b', 63) + "1", Password: new string('x', 127) + "y"),
        };

        foreach (var (username, password) in cases)
        {
            var response = await http.SendAsync(HttpMethod.Post, "/admin/users", token,
                new { username, password, email = "boundary@example.test" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, password)).StatusCode);
        }
    }

    [Fact]
    public async Task Password_AnyCharacters_UnicodeAndSpaces_IsAccepted_AndNotFlattenedToAscii()
    {
        var http = fixture.CreateClient();
        const string password = "pässwörd mit Ümläuten 🔐 und 空白";
        var username = await http.CreateUserAsync(await fixture.AdminTokenOnceAsync(), password: password);

        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, password)).StatusCode);
        // Threat: a lossy encoding (non-ASCII → '?') would make many passwords one.
        var lossy = Encoding.ASCII.GetString(Encoding.ASCII.GetBytes(password));
        Assert.NotEqual(password, lossy);
        await (await http.PostLoginAsync(username, lossy)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Password_Over72Bytes_DiffersAfterByte72_DoesNotLogIn()
    {
        // Threat: bcrypt ignores input past 72 bytes; a store that truncates would accept any tail.
        var http = fixture.CreateClient();
        var first72 = string.Concat(Enumerable.Repeat("long-passphrase-", 5))[..72];
        var password = first72 + "tail-one";
        Assert.Equal(80, Encoding.UTF8.GetByteCount(password));
        var username = await http.CreateUserAsync(await fixture.AdminTokenOnceAsync(), password: password);

        await (await http.PostLoginAsync(username, first72 + "tail-two")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await (await http.PostLoginAsync(username, first72)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, password)).StatusCode);
    }

    [Fact]
    public async Task ListUsers_ReturnsUsersObject_WithEveryUser_InTheUserShape_WithoutSecrets()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password, roles: ["processor"]);

        var response = await http.SendAsync(HttpMethod.Get, "/admin/users", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        AssertNoSecrets(raw, Password);
        AssertNoSecrets(raw, TestSettings.AdminPassword);
        var users = JsonNode.Parse(raw)!["users"]!.AsArray();
        var admin = Assert.Single(users, u => u!["username"]!.GetValue<string>() == "admin")!;
        ContractAssert.User(admin, "admin", admin["email"]!.GetValue<string>(), ["admin"], isActive: true);
        var created = Assert.Single(users, u => u!["username"]!.GetValue<string>() == username)!;
        ContractAssert.User(created, username, $"{username}@example.test", ["processor"], isActive: true);
    }

    [Fact]
    public async Task GetUser_ReturnsTheUserShape_AndRecordsLastLoginAfterALogin()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password, roles: ["operator", "viewer"]);

        var before = await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", token);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var beforeUser = await before.ReadJsonAsync();
        ContractAssert.User(beforeUser, username, $"{username}@example.test", ["operator", "viewer"], isActive: true);
        Assert.Null(beforeUser["last_login"]);

        await http.LoginAsync(username, Password);
        var after = await (await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", token)).ReadJsonAsync();
        var lastLogin = ContractAssert.UtcTimestampOf(after["last_login"]);
        Assert.True(lastLogin >= ContractAssert.UtcTimestampOf(after["created_at"]), "last_login precedes created_at");
    }

    [Fact]
    public async Task PatchUser_ChangesOnlyTheGivenFields_AndReturnsTheUser()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password, roles: ["viewer"]);
        var path = $"/admin/users/{username}";

        var email = await http.SendAsync(HttpMethod.Patch, path, token, new { email = "new.address@example.test" });
        Assert.Equal(HttpStatusCode.OK, email.StatusCode);
        ContractAssert.User(await email.ReadJsonAsync(), username, "new.address@example.test", ["viewer"], isActive: true);

        var roles = await http.SendAsync(HttpMethod.Patch, path, token, new { roles = new[] { "processor", "operator" } });
        Assert.Equal(HttpStatusCode.OK, roles.StatusCode);
        ContractAssert.User(await roles.ReadJsonAsync(), username, "new.address@example.test", ["operator", "processor"], isActive: true);

        var stored = await (await http.SendAsync(HttpMethod.Get, path, token)).ReadJsonAsync();
        ContractAssert.User(stored, username, "new.address@example.test", ["operator", "processor"], isActive: true);
    }

    [Fact]
    public async Task PatchUser_Deactivate_RefusesLoginAndRevokesTokens_Reactivate_AllowsLoginAgain()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password);
        var userToken = await http.LoginAsync(username, Password);
        var path = $"/admin/users/{username}";

        var deactivated = await http.SendAsync(HttpMethod.Patch, path, token, new { is_active = false });
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        ContractAssert.User(await deactivated.ReadJsonAsync(), username, $"{username}@example.test", ["viewer"], isActive: false);
        await (await http.SendAsync(HttpMethod.Get, "/auth/me", userToken)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await (await http.PostLoginAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        var reactivated = await http.SendAsync(HttpMethod.Patch, path, token, new { is_active = true });
        Assert.Equal(HttpStatusCode.OK, reactivated.StatusCode);
        Assert.True((await reactivated.ReadJsonAsync())["is_active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, Password)).StatusCode);
    }

    [Fact]
    public async Task ResetPassword_Is200_OldPasswordFails_NewPasswordLogsIn_OldTokensRevoked()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password);
        var userToken = await http.LoginAsync(username, Password);

        var response = await http.SendAsync(HttpMethod.Post, $"/admin/users/{username}/reset-password", token,
            new { new_password = "a brand new password" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNoSecrets(await response.Content.ReadAsStringAsync(), "a brand new password");
        await (await http.PostLoginAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, "a brand new password")).StatusCode);
        await (await http.SendAsync(HttpMethod.Get, "/auth/me", userToken)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task ResetPassword_RejectedByPolicy_LeavesTheOldPasswordAndTokensWorking()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password);
        var userToken = await http.LoginAsync(username, Password);

        var response = await http.SendAsync(HttpMethod.Post, $"/admin/users/{username}/reset-password", token,
            new { new_password = "too short" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", userToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync(username, Password)).StatusCode);
    }

    [Fact]
    public async Task DeleteUser_Is204_ThenGetIs404_LoginFails_TokensRevoked_AndItIsNotListed()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password);
        var userToken = await http.LoginAsync(username, Password);

        var response = await http.SendAsync(HttpMethod.Delete, $"/admin/users/{username}", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await (await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", token)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.PostLoginAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await (await http.SendAsync(HttpMethod.Get, "/auth/me", userToken)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var users = (await (await http.SendAsync(HttpMethod.Get, "/admin/users", token)).ReadJsonAsync())["users"]!.AsArray();
        Assert.DoesNotContain(users, u => u!["username"]!.GetValue<string>() == username);
        await (await http.SendAsync(HttpMethod.Delete, $"/admin/users/{username}", token)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    // ---- Conflicts and unknown users ---------------------------------------------------------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateUser_ExistingUsername_InAnyCase_Is409_AndLeavesTheAccountUntouched(bool upperCase)
    {
        // Threat: taking over an account by re-creating it with a password of one's own.
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password, roles: ["operator"]);

        var response = await http.SendAsync(HttpMethod.Post, "/admin/users", token, new
        {
            username = upperCase ? username.ToUpperInvariant() : username,
            password = "the attacker's password",
            email = "attacker@example.test",
            roles = new[] { "admin" },
        });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");
        var stored = await (await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", token)).ReadJsonAsync();
        ContractAssert.User(stored, username, $"{username}@example.test", ["operator"], isActive: true);
        await (await http.PostLoginAsync(username, "the attacker's password")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task CreateUser_NamedLikeTheBootstrapAdmin_Is409_AndTheAdminKeepsItsPassword()
    {
        var http = fixture.CreateClient();

        var response = await http.SendAsync(HttpMethod.Post, "/admin/users", await fixture.AdminTokenOnceAsync(),
            new { username = "Admin", password = "the attacker's password", email = "attacker@example.test" });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync("admin", TestSettings.AdminPassword)).StatusCode);
    }

    public static TheoryData<string, string> UnknownUserRequests()
    {
        var names = new[] { "nosuchuser", "NOSUCHUSER", "bad!name", "ab", new string('u', 65), "bad%20name", "%C3%BCnicode" };
        var data = new TheoryData<string, string>();
        foreach (var name in names)
        {
            foreach (var method in new[] { "GET", "PATCH", "POST reset-password", "DELETE" })
            {
                data.Add(method, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UnknownUserRequests))]
    public async Task UnknownOrImpossibleUsername_InThePath_Is404(string endpoint, string pathName)
    {
        var (method, path, body) = endpoint switch
        {
            "GET" => (HttpMethod.Get, $"/admin/users/{pathName}", null),
            "PATCH" => (HttpMethod.Patch, $"/admin/users/{pathName}", (object?)new { email = "someone@example.test" }),
            "DELETE" => (HttpMethod.Delete, $"/admin/users/{pathName}", null),
            _ => (HttpMethod.Post, $"/admin/users/{pathName}/reset-password", new { new_password = "a valid new password" }),
        };

        var response = await fixture.CreateClient().SendAsync(method, path, await fixture.AdminTokenOnceAsync(), body);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    // ---- Bad input: 400 VALIDATION_ERROR, never 500 ------------------------------------------

    public static TheoryData<string, string> InvalidCreateBodies() => new()
    {
        { "username too short", Create("ab", Password, "a@example.test") },
        { "username 65 chars", Create(new string('u', 65), Password, "a@example.test") },
        { "username 300 chars", Create(new string('u', 300), Password, "a@example.test") },
        { "username empty", Create("", Password, "a@example.test") },
        { "username with a space", Create("bad name", Password, "a@example.test") },
        { "username with !", Create("bad!name", Password, "a@example.test") },
        { "username with @", Create("bad@name", Password, "a@example.test") },
        { "username non-ASCII", Create("ünïcode", Password, "a@example.test") },
        { "username Cyrillic homoglyph of admin", Create("\u0430dmin", Password, "a@example.test") },
        { "password 11 chars", Create("shortpw", "eleven-char", "a@example.test") },
        { "password 129 chars", Create("longpw", new string('p', 129), "a@example.test") },
        { "password 2000 chars", Create("hugepw", new string('p', 2000), "a@example.test") },
        { "password equal to username", Create("samepassword12", "samepassword12", "a@example.test") },
        { "password equal to username, other case", Create("samepassword13", "SamePassword13", "a@example.test") },
        { "email without @", Create("bademail1", Password, "not-an-email") },
        { "email without domain", Create("bademail2", Password, "user@") },
        { "email with display name", Create("bademail3", Password, "Eve <eve@example.test>") },
        { "email with CRLF header injection", Create("bademail4", Password, "eve@example.test\r\nBcc: all@example.test") },
        { "email empty", Create("bademail5", Password, "") },
        { "role unknown", Create("badrole1", Password, "a@example.test", "superuser") },
        { "role unknown among known", Create("badrole2", Password, "a@example.test", "viewer", "root") },
        { "role empty string", Create("badrole3", Password, "a@example.test", "") },
        { "roles a number", $$$"""{"username":"types1","password":"{{{TestSettings.UserPassword}}}","email":"a@example.test","roles":5}""" },
        { "roles a string", $$$"""{"username":"types2","password":"{{{TestSettings.UserPassword}}}","email":"a@example.test","roles":"admin"}""" },
        { "roles an object", $$$"""{"username":"types3","password":"{{{TestSettings.UserPassword}}}","email":"a@example.test","roles":{"admin":true}}""" },
        { "role a number", $$$"""{"username":"types4","password":"{{{TestSettings.UserPassword}}}","email":"a@example.test","roles":[1]}""" },
        { "role null", $$$"""{"username":"types5","password":"{{{TestSettings.UserPassword}}}","email":"a@example.test","roles":[null]}""" },
        { "username a number", $$$"""{"username":12345,"password":"{{{TestSettings.UserPassword}}}","email":"a@example.test"}""" },
        { "password a number", """{"username":"types6","password":123456789012345,"email":"a@example.test"}""" },
        { "email a boolean", $$$"""{"username":"types7","password":"{{{TestSettings.UserPassword}}}","email":true}""" },
        { "truncated JSON", """{"username":"types8","password":""" },
        { "trailing comma", $$$"""{"username":"types9","password":"{{{TestSettings.UserPassword}}}","email":"a@example.test",}""" },
        { "not JSON", "username=types10&password=correct+horse+battery" },
        { "JSON array", $$$"""[{"username":"types11","password":"{{{TestSettings.UserPassword}}}","email":"a@example.test"}]""" },
        { "JSON null", "null" },
        { "JSON string", "\"types12\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreateBodies))]
    public async Task CreateUser_InvalidBody_Is400_AndCreatesNothing(string rule, string json)
    {
        _ = rule; // Only names the case in the test's display name.
        var countBefore = await CountUsersAsync();

        var response = await SendJsonAsync(HttpMethod.Post, "/admin/users", json);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(countBefore, await CountUsersAsync());
    }

    [Theory]
    [InlineData("username", $$$"""{"password":"{{{TestSettings.UserPassword}}}","email":"a@example.test"}""")]
    [InlineData("username", $$$"""{"username":null,"password":"{{{TestSettings.UserPassword}}}","email":"a@example.test"}""")]
    [InlineData("password", """{"username":"nopassword","email":"a@example.test"}""")]
    [InlineData("password", """{"username":"nopassword","password":"","email":"a@example.test"}""")]
    [InlineData("email", $$$"""{"username":"noemail","password":"{{{TestSettings.UserPassword}}}"}""")]
    [InlineData("username", "{}")]
    public async Task CreateUser_MissingField_Is400_NamingTheField(string field, string json)
    {
        var response = await SendJsonAsync(HttpMethod.Post, "/admin/users", json);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains(field, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidPatchBodies() => new()
    {
        { "email without @", """{"email":"not-an-email"}""" },
        { "email empty", """{"email":""}""" },
        { "email with display name", """{"email":"Eve <eve@example.test>"}""" },
        { "role unknown", """{"roles":["superuser"]}""" },
        { "role unknown among known", """{"roles":["admin","root"]}""" },
        { "roles a number", """{"roles":5}""" },
        { "roles a string", """{"roles":"admin"}""" },
        { "role null", """{"roles":[null]}""" },
        { "is_active a string", """{"is_active":"yes"}""" },
        { "is_active a number", """{"is_active":0}""" },
        { "email a number", """{"email":5}""" },
        { "truncated JSON", """{"is_active":""" },
        { "not JSON", "is_active=false" },
        { "JSON array", """[{"is_active":false}]""" },
        { "JSON null", "null" },
    };

    [Theory]
    [MemberData(nameof(InvalidPatchBodies))]
    public async Task PatchUser_InvalidBody_Is400_AndChangesNothing(string rule, string json)
    {
        _ = rule; // Only names the case in the test's display name.
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(token, password: Password, roles: ["operator"]);

        var response = await SendJsonAsync(HttpMethod.Patch, $"/admin/users/{username}", json);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var stored = await (await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", token)).ReadJsonAsync();
        ContractAssert.User(stored, username, $"{username}@example.test", ["operator"], isActive: true);
    }

    public static TheoryData<string, string> InvalidResetBodies() => new()
    {
        { "new_password 11 chars", JsonSerializer.Serialize(new { new_password = "eleven-char" }) },
        { "new_password 129 chars", JsonSerializer.Serialize(new { new_password = new string('p', 129) }) },
        { "new_password equal to username", """{"new_password":"{user}"}""" },
        { "new_password equal to username, other case", """{"new_password":"{USER}"}""" },
        { "new_password missing", "{}" },
        { "new_password null", """{"new_password":null}""" },
        { "new_password empty", """{"new_password":""}""" },
        { "new_password a number", """{"new_password":123456789012345}""" },
        { "truncated JSON", """{"new_password":""" },
        { "JSON null", "null" },
    };

    [Theory]
    [MemberData(nameof(InvalidResetBodies))]
    public async Task ResetPassword_InvalidBody_Is400(string rule, string template)
    {
        _ = rule; // Only names the case in the test's display name.
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenOnceAsync(), password: Password);
        var json = template.Replace("{user}", username, StringComparison.Ordinal)
            .Replace("{USER}", username.ToUpperInvariant(), StringComparison.Ordinal);

        var response = await SendJsonAsync(HttpMethod.Post, $"/admin/users/{username}/reset-password", json);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    private static readonly string[] EndpointsWithBody = ["POST /admin/users", "PATCH /admin/users/{user}", "POST /admin/users/{user}/reset-password"];

    public static TheoryData<string> BodyEndpoints() => [.. EndpointsWithBody];

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task EmptyBody_Is400(string endpoint)
    {
        var (method, path) = await ResolveAsync(endpoint);
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.AdminTokenOnceAsync());

        var response = await fixture.CreateClient().SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    public static TheoryData<string, string> WrongContentTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in EndpointsWithBody)
        {
            foreach (var mediaType in new[] { "text/plain", "application/x-www-form-urlencoded", "application/xml" })
            {
                data.Add(endpoint, mediaType);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WrongContentTypes))]
    public async Task WrongContentType_Is415_EvenForValidJson_NoCorsSimpleRequestBypass(string endpoint, string mediaType)
    {
        // text/plain and form posts are CORS "simple" requests a foreign page can send without a
        // preflight: accepting JSON in them would let such a page drive the admin API.
        var (method, path) = await ResolveAsync(endpoint);
        var username = NewName("mediatype");
        var json = JsonSerializer.Serialize(new
        {
            username, password = Password, email = $"{username}@example.test", is_active = false, new_password = "a valid new password",
        });

        var response = await SendJsonAsync(method, path, json, mediaType);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_FORMAT");
        var created = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/admin/users/{username}", await fixture.AdminTokenOnceAsync());
        Assert.Equal(HttpStatusCode.NotFound, created.StatusCode);
    }

    // ---- Helpers -----------------------------------------------------------------------------

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private static string Create(string username, string password, string email, params string[] roles) =>
        roles.Length == 0
            ? JsonSerializer.Serialize(new { username, password, email })
            : JsonSerializer.Serialize(new { username, password, email, roles });

    private async Task<(HttpMethod Method, string Path)> ResolveAsync(string endpoint)
    {
        var (method, template) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var path = template.Contains("{user}", StringComparison.Ordinal)
            ? template.Replace("{user}", await fixture.CreateClient().CreateUserAsync(await fixture.AdminTokenOnceAsync(), password: Password), StringComparison.Ordinal)
            : template;
        return (new HttpMethod(method), path);
    }

    private async Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string json, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, mediaType) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.AdminTokenOnceAsync());
        return await fixture.CreateClient().SendAsync(request);
    }

    private async Task<int> CountUsersAsync()
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/admin/users", await fixture.AdminTokenOnceAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["users"]!.AsArray().Count;
    }

    /// <summary>No password and nothing that looks like a bcrypt hash (<c>$2a$10$…</c>) in a response body.</summary>
    internal static void AssertNoSecrets(string body, string password)
    {
        Assert.DoesNotContain(password, body, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\$2[abxy]?\$\d{2}\$", body);
        Assert.DoesNotContain("hash", body, StringComparison.OrdinalIgnoreCase);
    }
}
