using System.Collections.Frozen;
using System.Reflection;

namespace Surveillance.Identity;

/// <summary>
/// ASVS 5.0 §6.2: passwords found in lists of common and breached passwords are refused. The
/// lists ship inside this assembly (<c>Identity/CommonPasswords/README.md</c>: SecLists, MIT) and are
/// read once, on first use. Only entries of at least <see cref="PasswordPolicy.MinLength"/>
/// characters are kept in memory: a shorter one is already refused by the length rule, so holding it
/// would change no answer (of 143,849 distinct entries 1,594 are that long: 0.19 MiB measured, README).
/// Compared case-insensitively, so "Qwerty123456" is as listed as "qwerty123456".
/// </summary>
public static class CommonPasswords
{
    public static readonly IReadOnlyList<string> ListFiles =
        ["100k-most-used-passwords-NCSC.txt", "10-million-password-list-top-100000.txt"];

    private static readonly Lazy<FrozenSet<string>> Listed = new(() => Load(PasswordPolicy.MinLength));

    /// <summary>True when the password (any case) is in a shipped list.</summary>
    public static bool Contains(string password) => Listed.Value.Contains(password);

    /// <summary>Every distinct entry (case-insensitively) of the shipped lists with at least <paramref name="minLength"/> characters.</summary>
    public static FrozenSet<string> Load(int minLength)
    {
        var entries = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in ListFiles)
        {
            using var reader = new StreamReader(Open(file));
            while (reader.ReadLine() is { } line)
            {
                if (line.Length >= minLength && line.EnumerateRunes().Count() >= minLength)
                {
                    entries.Add(line);
                }
            }
        }

        return entries.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    private static Stream Open(string file) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream("Surveillance.CommonPasswords." + file)
        ?? throw new InvalidOperationException($"The password list '{file}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
}
