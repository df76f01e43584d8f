using System.Security.Cryptography;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>The two extended key usages of TLS (RFC 5280 §4.2.1.12).</summary>
public static class KeyUsages
{
    public static Oid ServerAuthentication => new("1.3.6.1.5.5.7.3.1", "serverAuth");

    public static Oid ClientAuthentication => new("1.3.6.1.5.5.7.3.2", "clientAuth");
}
