using System.Security.Cryptography;
using System.Text;

namespace Surveillance.Identity;

/// <summary>
/// The second-step challenges of one account whose password was right, held in the user grain's
/// memory for <see cref="Lifetime"/> (a restart only means logging in again). Only hashes are
/// kept; a challenge dies on success, after <see cref="MaxAttempts"/> wrong codes, on expiry, or
/// when the account changes (deactivation, roles, password, MFA reset).
/// </summary>
public sealed class MfaChallenges(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(300);
    public const int MaxAttempts = 5;

    /// <summary>A bound on open challenges per account: the oldest goes first.</summary>
    private const int MaxOpen = 5;

    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public string Issue()
    {
        DropExpired();
        foreach (var oldest in _pending.OrderBy(p => p.Value.ExpiresAt).Take(Math.Max(0, _pending.Count - MaxOpen + 1)).Select(p => p.Key).ToList())
        {
            _pending.Remove(oldest);
        }

        var challenge = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _pending[Key(challenge)] = new Pending(clock.GetUtcNow() + Lifetime, MaxAttempts);
        return challenge;
    }

    public bool IsLive(string challenge)
    {
        DropExpired();
        return _pending.ContainsKey(Key(challenge));
    }

    public void RecordWrongCode(string challenge)
    {
        var key = Key(challenge);
        if (_pending.TryGetValue(key, out var pending))
        {
            if (pending.AttemptsLeft <= 1)
            {
                _pending.Remove(key);
            }
            else
            {
                _pending[key] = pending with { AttemptsLeft = pending.AttemptsLeft - 1 };
            }
        }
    }

    public void Consume(string challenge) => _pending.Remove(Key(challenge));

    public void Clear() => _pending.Clear();

    private void DropExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var expired in _pending.Where(p => p.Value.ExpiresAt <= now).Select(p => p.Key).ToList())
        {
            _pending.Remove(expired);
        }
    }

    private static string Key(string challenge) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(challenge)));

    private readonly record struct Pending(DateTimeOffset ExpiresAt, int AttemptsLeft);
}
