using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Grains;

/// <summary>
/// The index of all accounts: unique names, the "never without an active admin" rule, and the
/// one-time bootstrap admin. Each test but the bootstrap ones uses a directory of its own (the
/// API uses key 0), so that the admins of one test do not satisfy the rule in another.
/// </summary>
[Collection(AccountGrainsCluster.Name)]
public sealed class UserDirectoryGrainTests(ApiFixture fixture)
{
    private const string Password = TestSettings.UserPassword;

    private IUserDirectoryGrain NewDirectory() =>
        fixture.Cluster.Client.GetGrain<IUserDirectoryGrain>(Random.Shared.NextInt64(1, long.MaxValue));

    private IUserGrain User(string username) => fixture.Cluster.Client.GetGrain<IUserGrain>(username);

    private static string NewName() => "d" + Guid.NewGuid().ToString("N")[..12];

    private static NewUser Account(string username, params string[] roles) =>
        new(username, Password, $"{username}@example.test", roles);

    private static async Task<string> CreateAsync(IUserDirectoryGrain directory, params string[] roles)
    {
        var username = NewName();
        await directory.CreateUserAsync(Account(username, roles));
        return username;
    }

    private static async Task AssertRefusedAsync(DomainError error, Func<Task> call)
    {
        var refusal = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Equal(error, refusal.Error);
    }

    [Fact]
    public async Task CreateUser_StoresTheAccountUnderItsLowerCaseName_AndListsIt()
    {
        var directory = NewDirectory();
        var username = NewName();

        var profile = await directory.CreateUserAsync(
            new NewUser("  " + username.ToUpperInvariant() + " ", Password, $"{username}@example.test", [Roles.Operator]));

        Assert.Equal(username, profile.Username);
        Assert.Equal([username], await directory.ListUsernamesAsync());
        Assert.Equal([Roles.Operator], (await User(username).GetAsync())!.Roles);
    }

    [Fact]
    public async Task CreateUser_ATakenName_IsConflict_WhateverItsCase()
    {
        var directory = NewDirectory();
        var username = await CreateAsync(directory);

        await AssertRefusedAsync(DomainError.Conflict, () => directory.CreateUserAsync(Account(username, Roles.Admin)));
        await AssertRefusedAsync(DomainError.Conflict, () => directory.CreateUserAsync(Account(username.ToUpperInvariant(), Roles.Admin)));

        Assert.Equal([username], await directory.ListUsernamesAsync());
        Assert.Equal([Roles.Viewer], (await User(username).GetAsync())!.Roles);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("~unknown")] // the API's stand-in key for malformed names must never be an account
    [InlineData("")]
    public async Task CreateUser_AnInvalidUsername_IsValidation_AndListsNothing(string username)
    {
        var directory = NewDirectory();

        await AssertRefusedAsync(DomainError.Validation, () => directory.CreateUserAsync(Account(username)));

        Assert.Empty(await directory.ListUsernamesAsync());
    }

    [Fact]
    public async Task CreateUser_AUsernameOver64Characters_IsValidation()
    {
        var directory = NewDirectory();

        await AssertRefusedAsync(DomainError.Validation, () => directory.CreateUserAsync(Account(new string('a', 65))));

        Assert.Empty(await directory.ListUsernamesAsync());
    }

    [Fact]
    public async Task CreateUser_RefusedByTheAccount_IsNotListed()
    {
        var directory = NewDirectory();
        var username = NewName();

        await AssertRefusedAsync(DomainError.Validation, () =>
            directory.CreateUserAsync(new NewUser(username, "short", $"{username}@example.test", [])));

        Assert.Empty(await directory.ListUsernamesAsync());
        Assert.Null(await User(username).GetAsync());
    }

    [Fact]
    public async Task ListUsernames_IsSorted()
    {
        var directory = NewDirectory();
        var stem = NewName();
        foreach (var suffix in new[] { "-m", "-b", "-z", "-a", "_c", ".d" })
        {
            await directory.CreateUserAsync(Account(stem + suffix));
        }

        var listed = await directory.ListUsernamesAsync();

        Assert.Equal(6, listed.Count);
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task LastActiveAdmin_CannotBeDeleted_Demoted_OrDeactivated()
    {
        var directory = NewDirectory();
        var admin = await CreateAsync(directory, Roles.Admin);
        await CreateAsync(directory, Roles.Operator);

        await AssertRefusedAsync(DomainError.Conflict, () => directory.DeleteUserAsync(admin));
        await AssertRefusedAsync(DomainError.Conflict, () => directory.UpdateUserAsync(admin, new UserPatch(null, [Roles.Operator], null)));
        await AssertRefusedAsync(DomainError.Conflict, () => directory.UpdateUserAsync(admin, new UserPatch(null, null, false)));

        var profile = await User(admin).GetAsync();
        Assert.True(profile!.IsActive);
        Assert.Equal([Roles.Admin], profile.Roles);
        Assert.Contains(admin, await directory.ListUsernamesAsync());
    }

    [Fact]
    public async Task LastActiveAdmin_MayStillBeEdited_WhileStayingAnActiveAdmin()
    {
        var directory = NewDirectory();
        var admin = await CreateAsync(directory, Roles.Admin);

        var profile = await directory.UpdateUserAsync(admin, new UserPatch("boss@example.test", [Roles.Admin, Roles.Operator], true));

        Assert.Equal("boss@example.test", profile.Email);
        Assert.Equal([Roles.Admin, Roles.Operator], profile.Roles);
    }

    [Fact]
    public async Task WithTwoActiveAdmins_OneMayBeDemoted_ThenTheOtherIsTheLast()
    {
        var directory = NewDirectory();
        var first = await CreateAsync(directory, Roles.Admin);
        var second = await CreateAsync(directory, Roles.Admin);

        var demoted = await directory.UpdateUserAsync(first, new UserPatch(null, [Roles.Viewer], null));

        Assert.Equal([Roles.Viewer], demoted.Roles);
        await AssertRefusedAsync(DomainError.Conflict, () => directory.DeleteUserAsync(second));
    }

    [Fact]
    public async Task DeactivatedAdmin_DoesNotCountAsAnotherAdmin()
    {
        var directory = NewDirectory();
        var active = await CreateAsync(directory, Roles.Admin);
        var dormant = await CreateAsync(directory, Roles.Admin);
        await directory.UpdateUserAsync(dormant, new UserPatch(null, null, false));

        await AssertRefusedAsync(DomainError.Conflict, () => directory.DeleteUserAsync(active));

        await directory.UpdateUserAsync(dormant, new UserPatch(null, null, true));
        await directory.DeleteUserAsync(active);
        Assert.Equal([dormant], await directory.ListUsernamesAsync());
    }

    [Fact]
    public async Task LastAdminRule_HoldsWhenTwoAdminsAreDemotedAtOnce()
    {
        var directory = NewDirectory();
        var admins = new[] { await CreateAsync(directory, Roles.Admin), await CreateAsync(directory, Roles.Admin) };

        var attempts = admins.Select(async a =>
        {
            try
            {
                await directory.UpdateUserAsync(a, new UserPatch(null, [Roles.Viewer], null));
                return (DomainError?)null;
            }
            catch (DomainException refusal)
            {
                return refusal.Error;
            }
        }).ToList();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r is null);
        Assert.Single(results, r => r == DomainError.Conflict);
        var profiles = await Task.WhenAll(admins.Select(a => User(a).GetAsync()));
        Assert.Single(profiles, p => p!.IsAdmin && p.IsActive);
    }

    [Fact]
    public async Task UpdateOrDelete_OfAnUnknownUser_IsNotFound()
    {
        var directory = NewDirectory();
        await CreateAsync(directory, Roles.Admin);
        var stranger = NewName();

        await AssertRefusedAsync(DomainError.NotFound, () => directory.UpdateUserAsync(stranger, new UserPatch("x@example.test", null, null)));
        await AssertRefusedAsync(DomainError.NotFound, () => directory.DeleteUserAsync(stranger));

        Assert.Null(await User(stranger).GetAsync());
    }

    [Fact]
    public async Task UpdateUser_WithAnUnknownRole_IsValidation()
    {
        var directory = NewDirectory();
        var username = await CreateAsync(directory, Roles.Operator);

        await AssertRefusedAsync(DomainError.Validation, () => directory.UpdateUserAsync(username, new UserPatch(null, ["root"], null)));

        Assert.Equal([Roles.Operator], (await User(username).GetAsync())!.Roles);
    }

    [Fact]
    public async Task DeleteUser_RemovesTheAccount_AndFreesItsName()
    {
        var directory = NewDirectory();
        await CreateAsync(directory, Roles.Admin);
        var username = await CreateAsync(directory);

        await directory.DeleteUserAsync(username);

        Assert.DoesNotContain(username, await directory.ListUsernamesAsync());
        Assert.Null(await User(username).GetAsync());
        await directory.CreateUserAsync(Account(username, Roles.Operator));
        Assert.Contains(username, await directory.ListUsernamesAsync());
    }

    [Fact]
    public async Task BootstrapAdmin_OnAnEmptyDirectory_IsCreatedAsAdmin_AndOnlyOnce()
    {
        var directory = NewDirectory();
        var first = NewName();
        var second = NewName();

        Assert.True(await directory.EnsureBootstrapAdminAsync(Account(first, Roles.Viewer)));
        Assert.False(await directory.EnsureBootstrapAdminAsync(Account(second)));

        Assert.Equal([Roles.Admin], (await User(first).GetAsync())!.Roles);
        Assert.Null(await User(second).GetAsync());
        Assert.Equal([first], await directory.ListUsernamesAsync());
    }

    [Fact]
    public async Task BootstrapAdmin_IsNotCreated_WhenAccountsExist()
    {
        // The silo bootstrapped "admin" into the cluster's directory (key 0) when it started.
        var directory = fixture.Cluster.Client.GetGrain<IUserDirectoryGrain>(0);
        var intruder = NewName();

        Assert.False(await directory.EnsureBootstrapAdminAsync(Account(intruder)));

        Assert.Contains("admin", await directory.ListUsernamesAsync());
        Assert.DoesNotContain(intruder, await directory.ListUsernamesAsync());
        Assert.Null(await User(intruder).GetAsync());
    }

    [Fact]
    public async Task BootstrapAdmin_ARestartWithAnotherAdminPassword_DoesNotResetIt()
    {
        var settings = new TestSettings();
        await using (var first = await TestCluster.StartAsync(settings))
        {
            var admin = first.Client.GetGrain<IUserGrain>("admin");
            Assert.True((await admin.LoginAsync(new LoginAttempt(TestSettings.AdminPassword, "192.0.2.1"))).Succeeded);
        }

        var restartedSettings = new TestSettings
        {
            ServiceId = settings.ServiceId,
            PasswordPepper = settings.PasswordPepper,
            AuditHmacKey = settings.AuditHmacKey,
            JwtSecret = settings.JwtSecret,
            Overrides = { ["SURVEILLANCE_ADMIN_PASSWORD"] = "a different admin password" },
        };
        await using var restarted = await TestCluster.StartAsync(restartedSettings);
        var restartedAdmin = restarted.Client.GetGrain<IUserGrain>("admin");

        Assert.False((await restartedAdmin.LoginAsync(new LoginAttempt("a different admin password", "192.0.2.1"))).Succeeded);
        Assert.True((await restartedAdmin.LoginAsync(new LoginAttempt(TestSettings.AdminPassword, "192.0.2.1"))).Succeeded);
        Assert.Equal(["admin"], await restarted.Client.GetGrain<IUserDirectoryGrain>(0).ListUsernamesAsync());
    }
}
