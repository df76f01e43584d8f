using System.Security.Cryptography;
using Surveillance.Identity;

namespace Surveillance.Silo;

/// <summary>
/// On the first start of a cluster, creates the user <c>admin</c> with the password from
/// <c>SURVEILLANCE_ADMIN_PASSWORD</c>, or a generated one that is printed once. Until then no
/// account exists, so there is no default password to guess.
/// </summary>
public static class BootstrapAdmin
{
    public const string PasswordKey = "SURVEILLANCE_ADMIN_PASSWORD";
    public const string EmailKey = "Bootstrap:AdminEmail";
    public const string Username = "admin";

    public static async Task EnsureAsync(IGrainFactory grains, IConfiguration configuration, ILogger logger)
    {
        var configured = configuration[PasswordKey];
        var password = string.IsNullOrEmpty(configured) ? Generate() : configured;
        var admin = new NewUser(Username, password, configuration[EmailKey] ?? "admin@localhost", [Roles.Admin]);
        var created = await grains.GetGrain<IUserDirectoryGrain>(0).EnsureBootstrapAdminAsync(admin);
        if (created && string.IsNullOrEmpty(configured))
        {
            // Printed once, on stdout only, for the operator starting the first node.
            Console.WriteLine($"""

                ==================================================================
                 Created user 'admin' with the generated password:
                     {password}
                 It is shown only this once. Change it with /auth/change-password.
                ==================================================================

                """);
        }
        else if (created)
        {
            logger.LogInformation("Created user 'admin' with the password from {Key}", PasswordKey);
        }
    }

    private static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
