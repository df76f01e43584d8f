using Orleans.Configuration;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Hosting;

namespace Surveillance.Silo.Admin;

/// <summary>
/// <c>dotnet Surveillance.Silo.dll reset-admin-password [username] [--password-file PATH]</c>:
/// sets a new password for a lost administrator account (default <c>admin</c>), read from the
/// file or from the first line of stdin, never from the command line (it would show in
/// <c>ps</c> and shell history). It joins the cluster as a client with the silo's own
/// configuration, so it needs a shell on a silo (or that silo's secrets) — nothing an HTTP
/// client can reach. Every session of the account is revoked, like an administrator's reset.
/// </summary>
public static class AdminPasswordReset
{
    public const string CommandName = "reset-admin-password";
    public const string PasswordFileOption = "--password-file";

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter output)
    {
        if (!TryParse(args, out var username, out var passwordFile))
        {
            await output.WriteLineAsync($"usage: dotnet Surveillance.Silo.dll {CommandName} [username] [{PasswordFileOption} PATH]   (password on stdin otherwise)");
            return 2;
        }

        var password = ReadPassword(stdin, passwordFile);
        var builder = Host.CreateApplicationBuilder([]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var connectionString = OrleansConnectionString.Require(builder.Configuration);
        builder.UseOrleansClient(client =>
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = SurveillanceSiloBuilderExtensions.AdoNetInvariant;
                o.ConnectionString = connectionString;
            });
            client.UseClusterTlsWithSiloCertificate(builder.Configuration);
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
            var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
            client.UseConnectionRetryFilter(async (_, cancellationToken) =>
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await ResetAsync(host.Services.GetRequiredService<IClusterClient>(), username, password);
            await output.WriteLineAsync($"The password of '{username}' was reset; its sessions were revoked.");
            return 0;
        }
        catch (DomainException e)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>The reset itself: the account must exist; the grain applies the password policy and revokes sessions.</summary>
    public static async Task ResetAsync(IGrainFactory grains, string username, string password)
    {
        var user = grains.GetGrain<IUserGrain>(Usernames.Normalize(username));
        if (await user.GetAsync() is null)
        {
            throw DomainException.NotFound($"No user '{username}'.");
        }

        await user.ResetPasswordAsync(password);
    }

    /// <summary>The new password: the whole file (without a trailing newline), or stdin's first line.</summary>
    public static string ReadPassword(TextReader stdin, string? passwordFile)
    {
        var password = passwordFile is null ? stdin.ReadLine() : File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
        return string.IsNullOrEmpty(password)
            ? throw new InvalidOperationException($"No new password: give it on stdin or with {PasswordFileOption}.")
            : password;
    }

    private static bool TryParse(string[] args, out string username, out string? passwordFile)
    {
        username = BootstrapAdmin.Username;
        passwordFile = null;
        var positional = 0;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == PasswordFileOption && i + 1 < args.Length)
            {
                passwordFile = args[++i];
            }
            else if (!args[i].StartsWith('-') && positional++ == 0)
            {
                username = args[i];
            }
            else
            {
                return false;
            }
        }

        return true;
    }
}
