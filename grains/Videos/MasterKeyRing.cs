using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Surveillance.Videos;

/// <summary>
/// Wraps and unwraps data keys with AES-256-GCM under the configured master keys. The video and
/// project ids are the associated data, so a wrapped key copied onto another video does not open.
/// </summary>
public sealed class MasterKeyRing(IOptions<MasterKeyOptions> options)
{
    private readonly Dictionary<string, byte[]> _keys =
        options.Value.MasterKeys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value));

    public string ActiveKeyId { get; } = options.Value.ActiveKeyId;

    public WrappedDataKey Wrap(byte[] dataKey, string videoId, string projectId) =>
        Seal(dataKey, Context(videoId, projectId));

    public byte[] Unwrap(WrappedDataKey wrapped, string videoId, string projectId) =>
        Open(wrapped, Context(videoId, projectId));

    /// <summary>
    /// Encrypts a small secret (a data key, a TOTP secret) under the active master key; the
    /// associated data binds it to its owner, so a sealed value copied elsewhere does not open.
    /// </summary>
    public WrappedDataKey Seal(byte[] secret, byte[] associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[secret.Length + AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(_keys[ActiveKeyId], AesGcm.TagByteSizes.MaxSize);
        aes.Encrypt(nonce, secret, ciphertext.AsSpan(0, secret.Length), ciphertext.AsSpan(secret.Length), associatedData);
        return new WrappedDataKey(ActiveKeyId, nonce, ciphertext);
    }

    public byte[] Open(WrappedDataKey wrapped, byte[] associatedData)
    {
        if (!_keys.TryGetValue(wrapped.MasterKeyId, out var masterKey))
        {
            throw new InvalidOperationException(
                $"Master key '{wrapped.MasterKeyId}' is not configured: put it back in Storage:MasterKeys, or rotate before removing it.");
        }

        var length = wrapped.Ciphertext.Length - AesGcm.TagByteSizes.MaxSize;
        var secret = new byte[length];
        using var aes = new AesGcm(masterKey, AesGcm.TagByteSizes.MaxSize);
        aes.Decrypt(wrapped.Nonce, wrapped.Ciphertext.AsSpan(0, length), wrapped.Ciphertext.AsSpan(length), secret, associatedData);
        return secret;
    }

    private static byte[] Context(string videoId, string projectId) => Encoding.UTF8.GetBytes($"video-key:{videoId}:{projectId}");
}
