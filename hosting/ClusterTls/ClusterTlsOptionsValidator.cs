using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>
/// Start-up check of <see cref="ClusterTlsOptions"/> for a node of <paramref name="role"/>: without
/// TLS the silo and gateway ports let anyone who reaches them call every grain, so a node refuses
/// to start without usable certificates unless Development explicitly switched TLS off.
/// </summary>
public sealed class ClusterTlsOptionsValidator(string role, IHostEnvironment environment) : IValidateOptions<ClusterTlsOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterTlsOptions options)
    {
        if (options.Disabled)
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{ClusterTlsOptions.Key(nameof(ClusterTlsOptions.Disabled))}=true is accepted only in Development, not in {environment.EnvironmentName}: " +
                    "without TLS anyone who reaches the silo or gateway port can call every grain.");
        }

        var missing = new[]
            {
                (nameof(ClusterTlsOptions.CaCertificatePath), options.CaCertificatePath),
                (nameof(ClusterTlsOptions.CertificatePath), options.CertificatePath),
                (nameof(ClusterTlsOptions.KeyPath), options.KeyPath),
            }
            .Where(p => string.IsNullOrWhiteSpace(p.Item2))
            .Select(p => ClusterTlsOptions.Key(p.Item1))
            .ToList();
        if (missing.Count > 0)
        {
            return ValidateOptionsResult.Fail(
                $"{string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} missing: the Orleans links need mutual TLS with the cluster CA " +
                $"and a '{role}' certificate (PEM file paths). ./run.sh makes development certificates; Development alone may set " +
                $"{ClusterTlsOptions.Key(nameof(ClusterTlsOptions.Disabled))}=true instead.");
        }

        try
        {
            var refusal = RefusalOfOwn(ClusterCertificateSet.Load(options), role);
            return refusal is null
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{ClusterTlsOptions.Key(nameof(ClusterTlsOptions.CertificatePath))}: {refusal}.");
        }
        catch (ClusterCertificateException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }

    /// <summary>
    /// Why this node's own certificate is unfit for <paramref name="role"/>, or null: the same
    /// test its peers will apply, made at start-up so that a wrong file fails here, loudly,
    /// rather than as refused connections later.
    /// </summary>
    internal static string? RefusalOfOwn(ClusterCertificateSet certificates, string role)
    {
        foreach (var usage in ClusterRole.RequiredUsages(role))
        {
            var refusal = PeerCertificatePolicy.Refusal(certificates.Node, null, certificates.Authorities, usage, [role]);
            if (refusal is not null)
            {
                return $"the certificate '{certificates.Node.Subject}' is unfit for a '{role}' node: {refusal}";
            }
        }

        return null;
    }
}
