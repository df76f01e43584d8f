using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;

namespace Surveillance.Hosting;

/// <summary>
/// In Development, every secret a node needs is generated once and kept in
/// <c>&lt;data&gt;/secrets.json</c> (mode 0600), so the repository holds none and a fresh clone
/// still starts. Environment variables and later sources override it. Production never uses it:
/// there the options validators refuse to start without real secrets. Losing the file while the
/// database survives does not silently start over with new keys: see <see cref="SecretCheckValues"/>.
/// </summary>
public static class DevelopmentSecrets
{
    public const string FileName = "secrets.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Secrets only silos read: the API host never loads them (README "Trust boundaries").</summary>
    public static readonly string[] SiloOnly = ["Auth:PasswordPepper", "Storage:MasterKeys", "Results:HmacKey"];

    /// <summary>Secrets only API instances read: silos never load them.</summary>
    public static readonly string[] ApiOnly = ["Auth:JwtSecret"];

    /// <summary>
    /// Loads the generated secrets, except the keys (and their children) in
    /// <paramref name="notForThisHost"/>: one file serves both hosts on a developer's machine,
    /// but each host's configuration holds only its own secrets, as in production.
    /// </summary>
    public static IHostApplicationBuilder AddDevelopmentSecrets(this IHostApplicationBuilder builder, params string[] notForThisHost)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return builder;
        }

        var file = Path.Combine(DataDirectory.Resolve(builder.Configuration), FileName);
        var generated = EnsureExists(file);
        var secrets = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build()
            .AsEnumerable()
            .Where(p => p.Value is not null && !notForThisHost.Any(k =>
                p.Key.Equals(k, StringComparison.OrdinalIgnoreCase) || p.Key.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        // A file made just now next to a database that already holds data means the secrets were
        // lost: the silo's secret check (SecretCheckValues) then says so instead of starting.
        secrets.Add(new(SecretCheckValues.GeneratedNowKey, generated ? "true" : "false"));

        // Insert below environment variables and command-line arguments, so they still win.
        var sources = builder.Configuration.Sources;
        var index = sources.Select((s, i) => (s, i)).Where(p => p.s is FileConfigurationSource).Select(p => p.i + 1).DefaultIfEmpty(0).Max();
        sources.Insert(index, new MemoryConfigurationSource { InitialData = secrets });
        return builder;
    }

    /// <summary>Creates the file unless it exists; true when this call created it.</summary>
    private static bool EnsureExists(string file)
    {
        if (File.Exists(file))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temp = $"{file}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, Generate(), Indented);
        }

        try
        {
            // Two nodes starting together: the first rename wins and both read the same file.
            File.Move(temp, file, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(file))
        {
            File.Delete(temp);
            return false;
        }
    }

    private static JsonObject Generate() => new()
    {
        ["Auth"] = new JsonObject
        {
            ["JwtSecret"] = Random(48),
            ["PasswordPepper"] = Random(48),
        },
        ["Storage"] = new JsonObject
        {
            ["ActiveKeyId"] = "dev-1",
            ["MasterKeys"] = new JsonObject { ["dev-1"] = Random(32) },
        },
        ["Audit"] = new JsonObject { ["HmacKey"] = Random(32) },
        ["Results"] = new JsonObject { ["HmacKey"] = Random(32) },
    };

    private static string Random(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));
}
