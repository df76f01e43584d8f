using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Surveillance.Identity;

/// <summary>
/// bcrypt over an HMAC-SHA384 pre-hash keyed by a server-side pepper. The pre-hash keeps every
/// byte of a long password (bcrypt alone ignores input past 72 bytes) and its base64 form has
/// no NUL bytes (OWASP Password Storage cheat sheet, "pre-hashing passwords"). Every bcrypt run,
/// the decoy included, goes through the silo's <see cref="HashingBudget"/>.
/// </summary>
public sealed class PasswordHasher(IOptions<PasswordHashingOptions> options, HashingBudget budget)
{
    private readonly byte[] _pepper = Encoding.UTF8.GetBytes(options.Value.PasswordPepper);
    private readonly int _workFactor = options.Value.BcryptWorkFactor;
    private readonly Lazy<string> _decoyHash = new(() =>
        BCrypt.Net.BCrypt.HashPassword(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), options.Value.BcryptWorkFactor));

    /// <summary>Hashes off the grain's scheduler, within the budget: bcrypt is deliberately slow.</summary>
    public Task<string> HashAsync(string password) =>
        budget.RunAsync(() => BCrypt.Net.BCrypt.HashPassword(PreHash(password), _workFactor));

    public Task<bool> VerifyAsync(string password, string hash) =>
        budget.RunAsync(() => BCrypt.Net.BCrypt.Verify(PreHash(password), hash));

    /// <summary>
    /// Spends the same work as a real check against a random hash, so an unknown or locked
    /// account cannot be told apart by timing — through the same budget, so it also waits and is
    /// refused alike.
    /// </summary>
    public Task SpendDecoyWorkAsync(string password) =>
        budget.RunAsync(() => BCrypt.Net.BCrypt.Verify(PreHash(password), _decoyHash.Value));

    /// <summary>
    /// The login path's check: refused by the budget it answers when to retry, without an exception;
    /// without <paramref name="mayWait"/> it is refused rather than queued (<see cref="HashingBudget.TryRunAsync{T}"/>).
    /// </summary>
    public Task<HashingOutcome<bool>> TryVerifyAsync(string password, string hash, bool mayWait = true) =>
        budget.TryRunAsync(() => BCrypt.Net.BCrypt.Verify(PreHash(password), hash), mayWait);

    /// <summary>The login path's decoy (<see cref="SpendDecoyWorkAsync"/>), refused exactly like <see cref="TryVerifyAsync"/>.</summary>
    public Task<HashingOutcome<bool>> TrySpendDecoyWorkAsync(string password, bool mayWait = true) =>
        budget.TryRunAsync(() => BCrypt.Net.BCrypt.Verify(PreHash(password), _decoyHash.Value), mayWait);

    /// <summary>A login's rehash at a raised work factor: skipped (done at a later login) when the budget is used up.</summary>
    public Task<HashingOutcome<string>> TryHashAsync(string password) =>
        budget.TryRunAsync(() => BCrypt.Net.BCrypt.HashPassword(PreHash(password), _workFactor));

    public bool NeedsRehash(string hash) => BCrypt.Net.BCrypt.PasswordNeedsRehash(hash, _workFactor);

    private string PreHash(string password) =>
        Convert.ToBase64String(HMACSHA384.HashData(_pepper, Encoding.UTF8.GetBytes(password)));
}
