using System.Text;
using Surveillance.Videos;

namespace Surveillance.Identity;

/// <summary>
/// Keeps TOTP secrets under the same custody as the video data keys: AES-256-GCM under the active
/// master key of <c>Storage:MasterKeys</c>, so a database dump alone does not yield a second factor.
/// The username is the associated data: a sealed secret copied onto another account does not open.
/// </summary>
public sealed class MfaSecretCipher(MasterKeyRing keys)
{
    public string ActiveKeyId => keys.ActiveKeyId;

    public WrappedDataKey Seal(byte[] secret, string username) => keys.Seal(secret, Context(username));

    public byte[] Open(WrappedDataKey sealedSecret, string username) => keys.Open(sealedSecret, Context(username));

    private static byte[] Context(string username) => Encoding.UTF8.GetBytes($"totp-secret:{username}");
}
