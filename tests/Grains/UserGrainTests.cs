using System.Text.Json;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Grains;

/// <summary>
/// One account: creation rules, password checks, password changes and what they revoke, admin
/// patches and deletion. Accounts are created on the grain itself (the directory's rules are
/// <see cref="UserDirectoryGrainTests"/>); only the fixture's cluster is used, not its API.
/// </summary>
[Collection(AccountGrainsCluster.Name)]
public sealed class UserGrainTests(ApiFixture fixture)
{
    private const string Password = TestSettings.UserPassword;
    private const string OwnerIp = "192.0.2.10";

    private IUserGrain User(string username) => fixture.Cluster.Client.GetGrain<IUserGrain>(username);

    private IUserSessionsGrain Sessions(string username) => fixture.Cluster.Client.GetGrain<IUserSessionsGrain>(username);

    private static string NewName() => "u" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> CreateAsync(params string[] roles)
    {
        var username = NewName();
        await User(username).CreateAsync(new NewUser(username, Password, $"{username}@example.test", roles));
        return username;
    }

    private async Task<SessionTicket> OpenSessionAsync(string username)
    {
        var now = DateTimeOffset.UtcNow;
        var ticket = new SessionTicket(Guid.NewGuid().ToString("N"), now, now.AddHours(1));
        await Sessions(username).OpenAsync(ticket);
        return ticket;
    }

    private static async Task AssertRefusedAsync(DomainError error, Func<Task> call)
    {
        var refusal = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Equal(error, refusal.Error);
    }

    [Fact]
    public async Task Create_ReturnsTheProfile_AViewerByDefault_NeverLoggedIn()
    {
        var username = NewName();

        var profile = await User(username).CreateAsync(new NewUser(username, Password, $"  {username}@example.test ", []));

        Assert.Equal(username, profile.Username);
        Assert.Equal($"{username}@example.test", profile.Email);
        Assert.Equal([Roles.Viewer], profile.Roles);
        Assert.True(profile.IsActive);
        Assert.Null(profile.LastLogin);
        var stored = await User(username).GetAsync();
        Assert.Equal(profile.Email, stored!.Email);
        Assert.Equal(profile.Roles, stored.Roles);
        Assert.Equal(profile.CreatedAt, stored.CreatedAt);
    }

    [Fact]
    public async Task Create_NormalisesRoles_DroppingDuplicates()
    {
        var username = NewName();

        var profile = await User(username).CreateAsync(
            new NewUser(username, Password, $"{username}@example.test", ["Operator", " admin", "operator"]));

        Assert.Equal([Roles.Admin, Roles.Operator], profile.Roles);
    }

    [Fact]
    public async Task Profile_NeverCarriesThePasswordHash()
    {
        var username = await CreateAsync(Roles.Admin);
        var loggedIn = await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp));
        var profile = await User(username).GetAsync();

        Assert.DoesNotContain(typeof(UserProfile).GetProperties(), p =>
            p.Name.Contains("password", StringComparison.OrdinalIgnoreCase)
            || p.Name.Contains("hash", StringComparison.OrdinalIgnoreCase));
        foreach (var shown in new[] { profile, loggedIn.Profile })
        {
            var json = JsonSerializer.Serialize(shown);
            Assert.DoesNotContain("$2", json, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Create_ATakenName_IsConflict_AndKeepsTheFirstAccount()
    {
        var username = await CreateAsync();

        await AssertRefusedAsync(DomainError.Conflict, () =>
            User(username).CreateAsync(new NewUser(username, "another password 123", "other@example.test", [Roles.Admin])));

        var profile = await User(username).GetAsync();
        Assert.Equal($"{username}@example.test", profile!.Email);
        Assert.Equal([Roles.Viewer], profile.Roles);
        Assert.True((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
    }

    [Theory]
    [InlineData("short pass")]
    [InlineData("")]
    [InlineData(null)] // the username itself
    public async Task Create_WithAPasswordBreakingThePolicy_IsValidation_AndStoresNothing(string? password)
    {
        var username = NewName();

        await AssertRefusedAsync(DomainError.Validation, () =>
            User(username).CreateAsync(new NewUser(username, password ?? username.ToUpperInvariant(), $"{username}@example.test", [])));

        Assert.Null(await User(username).GetAsync());
    }

    [Fact]
    public async Task Create_WithAPasswordOver128Characters_IsValidation()
    {
        var username = NewName();

        await AssertRefusedAsync(DomainError.Validation, () =>
            User(username).CreateAsync(new NewUser(username, new string('x', 129), $"{username}@example.test", [])));

        Assert.Null(await User(username).GetAsync());
    }

    [Theory]
    [InlineData("not-an-email", "viewer")]
    [InlineData("Name <someone@example.test>", "viewer")]
    [InlineData("", "viewer")]
    [InlineData("someone@example.test", "superuser")]
    [InlineData("someone@example.test", " ")]
    public async Task Create_WithABadEmailOrUnknownRole_IsValidation(string email, string role)
    {
        var username = NewName();

        await AssertRefusedAsync(DomainError.Validation, () =>
            User(username).CreateAsync(new NewUser(username, Password, email, [role])));

        Assert.Null(await User(username).GetAsync());
    }

    [Fact]
    public async Task Login_WithTheRightPassword_Succeeds_AndRecordsTheLastLogin()
    {
        var username = await CreateAsync();
        var before = DateTimeOffset.UtcNow;

        var outcome = await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp));

        Assert.True(outcome.Succeeded);
        Assert.Equal(LoginFailure.None, outcome.Failure);
        Assert.Equal(username, outcome.Profile!.Username);
        Assert.NotNull(outcome.Profile.LastLogin);
        Assert.InRange(outcome.Profile.LastLogin.Value, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(outcome.Profile.LastLogin, (await User(username).GetAsync())!.LastLogin);
    }

    [Fact]
    public async Task Login_WithAWrongPassword_FailsWithoutAProfile()
    {
        var username = await CreateAsync();

        var outcome = await User(username).LoginAsync(new LoginAttempt(Password + "x", OwnerIp));

        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.Profile);
        Assert.Equal(LoginFailure.WrongPassword, outcome.Failure);
        Assert.Null((await User(username).GetAsync())!.LastLogin);
    }

    [Fact]
    public async Task Login_ToAnUnknownAccount_FailsAsUnknownUser_AndCreatesNothing()
    {
        var username = NewName();

        var outcome = await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp));

        Assert.Null(outcome.Profile);
        Assert.Equal(LoginFailure.UnknownUser, outcome.Failure);
        Assert.Null(await User(username).GetAsync());
    }

    [Fact]
    public async Task Login_ToADeactivatedAccount_FailsEvenWithTheRightPassword()
    {
        var username = await CreateAsync();
        await User(username).UpdateAsync(new UserPatch(null, null, IsActive: false));

        var outcome = await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp));

        Assert.Null(outcome.Profile);
        Assert.Equal(LoginFailure.Inactive, outcome.Failure);
    }

    [Fact]
    public async Task Login_AfterTenFailures_IsLocked_ForNewIps_ButNotForTheOwnersKnownIp_EvenAfterDeactivation()
    {
        var username = await CreateAsync();
        Assert.True((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
        for (var i = 0; i < 10; i++)
        {
            var failed = await User(username).LoginAsync(new LoginAttempt("wrong password " + i, $"198.51.100.{i + 1}"));
            Assert.Equal(LoginFailure.WrongPassword, failed.Failure);
        }

        // The lockout is durable state: a reactivated grain still enforces it.
        await fixture.Cluster.Cluster.DeactivateAsync(User(username));

        var locked = await User(username).LoginAsync(new LoginAttempt(Password, "198.51.100.200"));
        Assert.Null(locked.Profile);
        Assert.Equal(LoginFailure.Locked, locked.Failure);
        Assert.True((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
    }

    [Fact]
    public async Task ChangePassword_WithAWrongOldPassword_IsValidation_AndKeepsThePassword()
    {
        var username = await CreateAsync();
        var session = await OpenSessionAsync(username);

        await AssertRefusedAsync(DomainError.Validation, () =>
            User(username).ChangePasswordAsync("not the password", "a brand new password", session.TokenId));

        Assert.True((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
        Assert.False((await User(username).LoginAsync(new LoginAttempt("a brand new password", OwnerIp))).Succeeded);
    }

    [Fact]
    public async Task ChangePassword_ToOneBreakingThePolicy_IsValidation_AndKeepsThePassword()
    {
        var username = await CreateAsync();
        var session = await OpenSessionAsync(username);
        var other = await OpenSessionAsync(username);

        await AssertRefusedAsync(DomainError.Validation, () =>
            User(username).ChangePasswordAsync(Password, "too short", session.TokenId));
        await AssertRefusedAsync(DomainError.Validation, () =>
            User(username).ChangePasswordAsync(Password, username, session.TokenId));

        Assert.True((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
        Assert.True(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, other.TokenId));
    }

    [Fact]
    public async Task ChangePassword_ReplacesThePassword_AndRevokesEveryOtherSession()
    {
        var username = await CreateAsync();
        var caller = await OpenSessionAsync(username);
        var stolen = await OpenSessionAsync(username);

        await User(username).ChangePasswordAsync(Password, "a brand new password", caller.TokenId);

        Assert.True(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, caller.TokenId));
        Assert.False(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, stolen.TokenId));
        Assert.Equal(LoginFailure.WrongPassword, (await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Failure);
        Assert.True((await User(username).LoginAsync(new LoginAttempt("a brand new password", OwnerIp))).Succeeded);
    }

    [Fact]
    public async Task ChangePassword_OfAnUnknownAccount_IsNotFound()
    {
        await AssertRefusedAsync(DomainError.NotFound, () =>
            User(NewName()).ChangePasswordAsync(Password, "a brand new password", "token"));
    }

    [Fact]
    public async Task ResetPassword_ReplacesThePassword_AndRevokesEverySession()
    {
        var username = await CreateAsync();
        var first = await OpenSessionAsync(username);
        var second = await OpenSessionAsync(username);

        await User(username).ResetPasswordAsync("reset by the admin 42");

        Assert.False(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, first.TokenId));
        Assert.False(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, second.TokenId));
        Assert.False((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
        Assert.True((await User(username).LoginAsync(new LoginAttempt("reset by the admin 42", OwnerIp))).Succeeded);
    }

    [Fact]
    public async Task ResetPassword_ToOneBreakingThePolicy_IsValidation_AndKeepsSessionsAndPassword()
    {
        var username = await CreateAsync();
        var session = await OpenSessionAsync(username);

        await AssertRefusedAsync(DomainError.Validation, () => User(username).ResetPasswordAsync("short"));

        Assert.True(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, session.TokenId));
        Assert.True((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
    }

    [Fact]
    public async Task ResetPassword_OfAnUnknownAccount_IsNotFound_AndCreatesNothing()
    {
        var username = NewName();

        await AssertRefusedAsync(DomainError.NotFound, () => User(username).ResetPasswordAsync("reset by the admin 42"));

        Assert.Null(await User(username).GetAsync());
    }

    [Fact]
    public async Task Update_AppliesThePatch_AndLeavesUnsetFieldsAlone()
    {
        var username = await CreateAsync(Roles.Operator);

        var emailOnly = await User(username).UpdateAsync(new UserPatch("new@example.test", null, null));
        Assert.Equal("new@example.test", emailOnly.Email);
        Assert.Equal([Roles.Operator], emailOnly.Roles);
        Assert.True(emailOnly.IsActive);

        var rolesAndActive = await User(username).UpdateAsync(new UserPatch(null, [Roles.Viewer, Roles.Processor], false));
        Assert.Equal("new@example.test", rolesAndActive.Email);
        Assert.Equal([Roles.Processor, Roles.Viewer], rolesAndActive.Roles);
        Assert.False(rolesAndActive.IsActive);

        // Persisted, not only held by the activation.
        await fixture.Cluster.Cluster.DeactivateAsync(User(username));
        var reloaded = await User(username).GetAsync();
        Assert.Equal("new@example.test", reloaded!.Email);
        Assert.Equal([Roles.Processor, Roles.Viewer], reloaded.Roles);
        Assert.False(reloaded.IsActive);
    }

    [Theory]
    [InlineData("not-an-email", null)]
    [InlineData(null, "root")]
    [InlineData("new@example.test", "root")]
    [InlineData("not-an-email", "admin")]
    public async Task Update_WithAnInvalidField_IsValidation_AndChangesNothing(string? email, string? role)
    {
        var username = await CreateAsync();
        var session = await OpenSessionAsync(username);
        var before = await User(username).GetAsync();

        await AssertRefusedAsync(DomainError.Validation, () =>
            User(username).UpdateAsync(new UserPatch(email, role is null ? null : [role], false)));

        var after = await User(username).GetAsync();
        Assert.Equal(before!.Email, after!.Email);
        Assert.Equal(before.Roles, after.Roles);
        Assert.True(after.IsActive);
        Assert.True(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, session.TokenId));
    }

    [Fact]
    public async Task Update_ChangingRoles_RevokesEverySession()
    {
        var username = await CreateAsync(Roles.Admin);
        var session = await OpenSessionAsync(username);

        await User(username).UpdateAsync(new UserPatch(null, [Roles.Viewer], null));

        Assert.False(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, session.TokenId));
    }

    [Fact]
    public async Task Update_Deactivating_RevokesEverySession()
    {
        var username = await CreateAsync();
        var session = await OpenSessionAsync(username);

        await User(username).UpdateAsync(new UserPatch(null, null, false));

        Assert.False(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, session.TokenId));
    }

    [Fact]
    public async Task Update_OfEmailOnly_KeepsSessions()
    {
        var username = await CreateAsync(Roles.Operator);
        var session = await OpenSessionAsync(username);

        await User(username).UpdateAsync(new UserPatch("changed@example.test", [Roles.Operator], true));

        Assert.True(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, session.TokenId));
    }

    [Fact]
    public async Task Update_OfAnUnknownAccount_IsNotFound_AndCreatesNothing()
    {
        var username = NewName();

        await AssertRefusedAsync(DomainError.NotFound, () => User(username).UpdateAsync(new UserPatch("a@example.test", null, null)));

        Assert.Null(await User(username).GetAsync());
    }

    [Fact]
    public async Task Delete_RemovesTheAccount_AndEndsItsSessions()
    {
        var username = await CreateAsync();
        var session = await OpenSessionAsync(username);

        await User(username).DeleteAsync();

        Assert.Null(await User(username).GetAsync());
        Assert.False(await Sessions(username).LeaseListsAsync(fixture.Cluster.Client, session.TokenId));
        Assert.Equal(LoginFailure.UnknownUser, (await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Failure);
    }

    [Fact]
    public async Task Delete_ThenCreateAgain_GivesAFreshAccount_WithoutTheOldPassword()
    {
        var username = await CreateAsync(Roles.Admin);
        await User(username).DeleteAsync();

        var recreated = await User(username).CreateAsync(new NewUser(username, "the new owner's password", "new@example.test", []));

        Assert.Equal([Roles.Viewer], recreated.Roles);
        Assert.False((await User(username).LoginAsync(new LoginAttempt(Password, OwnerIp))).Succeeded);
        Assert.True((await User(username).LoginAsync(new LoginAttempt("the new owner's password", OwnerIp))).Succeeded);
    }

    [Fact]
    public async Task Delete_OfAnUnknownAccount_IsNotFound()
    {
        await AssertRefusedAsync(DomainError.NotFound, () => User(NewName()).DeleteAsync());
    }
}
