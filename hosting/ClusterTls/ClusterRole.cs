using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>
/// What a cluster certificate lets its holder be, written by the CA as the certificate's single
/// OU (<c>OU=silo</c> or <c>OU=api</c>). The CA, not the peer, decides the role: a node that holds
/// an API certificate cannot present itself as a silo.
/// </summary>
public static class ClusterRole
{
    /// <summary>May join the cluster on the silo port and serve the gateway.</summary>
    public const string Silo = "silo";

    /// <summary>May connect to a gateway as a client (the HTTP API), nothing else.</summary>
    public const string Api = "api";

    private const string OrganizationalUnitOid = "2.5.4.11";

    /// <summary>The role written in the certificate, or null when it has no OU or more than one.</summary>
    public static string? Of(X509Certificate2 certificate)
    {
        string? role = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements || rdn.GetSingleElementType().Value != OrganizationalUnitOid)
            {
                continue;
            }

            if (role is not null)
            {
                // Two OUs are ambiguous; refusing is safer than guessing which one the CA meant.
                return null;
            }

            role = rdn.GetSingleElementValue();
        }

        return role;
    }

    /// <summary>The extended key usages a certificate of this role must carry as this process uses it.</summary>
    public static IReadOnlyList<Oid> RequiredUsages(string role) => role == Silo
        ? [KeyUsages.ServerAuthentication, KeyUsages.ClientAuthentication]
        : [KeyUsages.ClientAuthentication];
}
