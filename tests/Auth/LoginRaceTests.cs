using System.Collections.Concurrent;
using System.Net;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>
/// Holds calls to <see cref="IUserSessionsGrain.OpenAsync"/> for chosen users, on their way out of the
/// caller (whichever calls it: the API or a grain), until the test releases them.
/// </summary>
public static class SessionOpenGate
{
    private static readonly ConcurrentDictionary<string, Hold> Holds = new(StringComparer.Ordinal);

    public static Hold HoldFor(string username) => Holds[username] = new Hold();

    public static async Task FilterAsync(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(IUserSessionsGrain)
            && context.InterfaceMethod.Name == nameof(IUserSessionsGrain.OpenAsync)
            && Holds.TryRemove(context.TargetId.Key.ToString()!, out var hold))
        {
            hold.Reached.TrySetResult();
            await hold.Released.Task;
        }

        await context.Invoke();
    }

    public sealed class Hold
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public sealed class LoginRaceFixture : ApiFixture
{
    protected override void ConfigureSilo(ISiloBuilder silo) => silo.AddOutgoingGrainCallFilter(SessionOpenGate.FilterAsync);

    protected override void ConfigureClient(IClientBuilder client) => client.AddOutgoingGrainCallFilter(SessionOpenGate.FilterAsync);
}

/// <summary>
/// Issue 13: a deactivation, role change or delete that lands between the password check and the
/// opening of the session must not leave the new token alive with the old account state.
/// </summary>
public sealed class LoginRaceTests(LoginRaceFixture fixture) : IClassFixture<LoginRaceFixture>
{
    [Theory]
    [InlineData("deactivate")]
    [InlineData("change-roles")]
    [InlineData("delete")]
    public async Task LoginRacingARevocation_ReturnsATokenThatIsRefused(string revocation)
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = await http.CreateUserAsync(admin, password: MfaSteps.Password, roles: "operator");
        var hold = SessionOpenGate.HoldFor(username);

        var login = http.PostLoginAsync(username, MfaSteps.Password);
        await hold.Reached.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var revoke = revocation switch
        {
            "deactivate" => http.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", admin, new { is_active = false }),
            "change-roles" => http.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", admin, new { roles = new[] { "viewer" } }),
            _ => http.SendAsync(HttpMethod.Delete, $"/admin/users/{username}", admin),
        };

        // Before the fix the revocation completes here, while the new session is not yet recorded.
        await Task.WhenAny(revoke, Task.Delay(TimeSpan.FromSeconds(1)));
        hold.Released.SetResult();

        var loggedIn = await login;
        Assert.True((await revoke).IsSuccessStatusCode);
        if (loggedIn.StatusCode == HttpStatusCode.OK)
        {
            var token = (await loggedIn.ReadJsonAsync())["access_token"]!.GetValue<string>();
            var use = await http.SendAsync(HttpMethod.Get, "/surveillance/projects", token);
            await use.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
        else
        {
            await loggedIn.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }
}
