using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>
/// Who may be on the other end of an Orleans link: a certificate that chains to the cluster CA
/// (the configured file only, never the machine's trust store), is valid now, allows the TLS
/// usage of its side of the connection, and carries one of the roles the link admits.
/// Host names are not checked: silos advertise pod IPs that change with every restart, so the
/// identity of a node is its CA and its role, not its address.
/// </summary>
public static class PeerCertificatePolicy
{
    /// <summary>
    /// Why <paramref name="certificate"/> is refused, or null when it is accepted. The chain the
    /// peer sent (<paramref name="presented"/>) only lends its intermediates; its trust verdict is ignored.
    /// </summary>
    public static string? Refusal(
        X509Certificate2 certificate,
        X509Chain? presented,
        X509Certificate2Collection authorities,
        Oid usage,
        IReadOnlyCollection<string> roles)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // A private CA has no revocation service; certificates are short-lived instead (cert-manager renews them).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (!chain.Build(certificate))
        {
            var problems = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
            return $"it does not chain to the cluster CA for {usage.FriendlyName} ({string.Join(", ", problems)})";
        }

        var role = ClusterRole.Of(certificate);
        if (role is null || !roles.Contains(role))
        {
            return $"its role (OU) is '{role ?? "none"}', this link admits only {string.Join(" or ", roles.Select(r => $"'{r}'"))}";
        }

        return null;
    }
}
