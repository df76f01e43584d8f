using System.Security.Cryptography;
using Surveillance.Identity;

namespace Surveillance.Silo;

/// <summary>
/// On the first start of a cluster, creates the user <c>admin</c> with the password from
/// <c>SURVEILLANCE_ADMIN_PASSWORD</c> or the file named by <c>SURVEILLANCE_ADMIN_PASSWORD_FILE</c>.
/// Outside Production, without either, a generated password is printed once. In Production one
/// of them is required on an empty database: a password printed into a pod's log lives on in
/// the log pipeline, readable by whoever reads logs. Until then no account exists, so there is no
/// default password to guess. A lost password is reset with <c>reset-admin-password</c>
/// (<see cref="Admin.AdminPasswordReset"/>).
/// </summary>
public static class BootstrapAdmin
{
    public const string PasswordKey = "SURVEILLANCE_ADMIN_PASSWORD";
    public const string PasswordFileKey = "SURVEILLANCE_ADMIN_PASSWORD_FILE";
    public const string EmailKey = "Bootstrap:AdminEmail";
    public const string Username = "admin";

    public static async Task EnsureAsync(IGrainFactory grains, IConfiguration configuration, IHostEnvironment environment, ILogger logger)
    {
        var configured = ConfiguredPassword(configuration);
        var directory = grains.GetGrain<IUserDirectoryGrain>(0);
        if (configured is null && environment.IsProduction())
        {
            if ((await directory.ListUsernamesAsync()).Count == 0)
            {
                throw new InvalidOperationException(
                    $"The database has no user yet: in Production set {PasswordKey} or {PasswordFileKey} (a file holding it) " +
                    "to the first admin's password; a generated one is never printed into a production log.");
            }

            return;
        }

        var password = configured ?? Generate();
        var admin = new NewUser(Username, password, configuration[EmailKey] ?? "admin@localhost", [Roles.Admin]);
        var created = await directory.EnsureBootstrapAdminAsync(admin);
        if (created && configured is null)
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

    /// <summary>The configured password: the variable, else the file's content without its trailing newline.</summary>
    public static string? ConfiguredPassword(IConfiguration configuration)
    {
        if (configuration[PasswordKey] is { Length: > 0 } password)
        {
            return password;
        }

        if (configuration[PasswordFileKey] is not { Length: > 0 } file)
        {
            return null;
        }

        return File.Exists(file) && File.ReadAllText(file).TrimEnd('\r', '\n') is { Length: > 0 } fromFile
            ? fromFile
            : throw new InvalidOperationException($"{PasswordFileKey} names '{file}', which is missing or empty.");
    }

    private static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
