using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace HsmRaft.Transport;

/// <summary>
/// TLS settings shared by the transports. With <see cref="Certificate"/> set, a node serves TLS with it and presents it
/// to peers as its client certificate; with <see cref="RequireClientCertificate"/> (mutual TLS) the server refuses a
/// peer that does not present a certificate issued by one of <see cref="TrustedAuthorities"/>.
/// </summary>
public sealed class TransportSecurityOptions
{
    /// <summary>This node's certificate, with its private key. Its subject alternative names must match the host part of
    /// the address peers dial (for example the IP address 127.0.0.1 or a DNS name).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>The certificate authorities whose certificates peers must chain to. When empty, the operating system's
    /// trust store is used (fine for public CAs, wrong for a private cluster CA: set it).</summary>
    public X509Certificate2Collection TrustedAuthorities { get; set; } = [];

    /// <summary>Mutual TLS: require and validate a client certificate from every inbound peer. Default true.</summary>
    public bool RequireClientCertificate { get; set; } = true;

    /// <summary>True when TLS is configured.</summary>
    public bool IsEnabled => Certificate is not null;

    internal void Validate(List<string> problems)
    {
        if (Certificate is { HasPrivateKey: false })
        {
            problems.Add("TransportSecurityOptions.Certificate has no private key; load it from a PFX/PKCS#12 file or PEM pair that includes the key.");
        }

        if (Certificate is null && RequireClientCertificate && TrustedAuthorities.Count > 0)
        {
            problems.Add("TransportSecurityOptions.TrustedAuthorities is set but Certificate is not; set Certificate to this node's certificate to enable (mutual) TLS.");
        }
    }

    /// <summary>
    /// Checks that an inbound peer's (already validated) client certificate may speak for <paramref name="claimed"/>:
    /// it must name the host of <paramref name="claimed"/>'s address, as its server certificate must for peers to dial
    /// it. Without this, any holder of a cluster certificate could claim any node id. Returns null when it may.
    /// </summary>
    /// <param name="certificate">The certificate the peer presented on this connection, or null.</param>
    /// <param name="claimed">The member (id and address) the connection claims to come from.</param>
    public static string? ValidatePeerIdentity(X509Certificate2? certificate, ClusterMember claimed)
    {
        if (certificate is null)
        {
            return $"the peer claims to be node {claimed.Id} but presented no certificate";
        }

        var host = Uri.TryCreate(claimed.Address, UriKind.Absolute, out var uri) ? uri.DnsSafeHost : claimed.Address;
        return certificate.MatchesHostname(host, allowWildcards: true, allowCommonName: false)
            ? null
            : $"the peer claims to be node {claimed.Id}, but its certificate '{certificate.Subject}' does not name {host}, the host of that node's address {claimed.Address}";
    }

    /// <summary>
    /// Validates a peer's certificate: it must be present, chain to <see cref="TrustedAuthorities"/> (or the system store
    /// when empty) and, when <paramref name="checkName"/> is set, match the dialled host name.
    /// Returns null when valid, otherwise the reason, for logging.
    /// </summary>
    /// <param name="certificate">The certificate the peer presented, or null.</param>
    /// <param name="errors">The errors the TLS stack reported against the system trust store.</param>
    /// <param name="checkName">True on the client side, where the server's name must match the address dialled.</param>
    public string? ValidatePeerCertificate(X509Certificate? certificate, SslPolicyErrors errors, bool checkName)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the peer presented no certificate";
        }

        if (checkName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"the certificate '{certificate.Subject}' does not name the address dialled";
        }

        if (TrustedAuthorities.Count == 0)
        {
            return errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                ? $"the certificate '{certificate.Subject}' does not chain to a trusted authority"
                : null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(TrustedAuthorities);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf)
            ? null
            : $"the certificate '{certificate.Subject}' (issuer '{certificate.Issuer}') does not chain to a configured trusted authority: " +
              string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
    }
}
