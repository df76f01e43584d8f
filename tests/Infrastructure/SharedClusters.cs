namespace Surveillance.Tests.Infrastructure;

// Test classes that share one cluster (xunit runs a collection's classes one after another, so
// they never run at the same time; they only see what the others left behind). A class joins
// one only when it uses the default options and its own users, projects and client IPs, and
// changes nothing the others depend on (no IP blocks, no lockout of "admin", no stopped silos,
// no tampered rows). Classes with options of their own, or with state that leaks (the edge's
// blocks and rate windows, the audit chain, the last admin), keep a cluster each.

/// <summary>The account grains (directory, users, sessions, leases), health and the OpenAPI document.</summary>
[CollectionDefinition(Name)]
public sealed class AccountGrainsCluster : ICollectionFixture<ApiFixture>
{
    public const string Name = "Account grains, health and OpenAPI";
}

/// <summary>Logins, lockouts, MFA, revocation and the session cache, each on users of its own.</summary>
[CollectionDefinition(Name)]
public sealed class LoginAndSessionCluster : ICollectionFixture<ApiFixture>
{
    public const string Name = "Logins and sessions";
}

/// <summary>User administration and its authorization, with tokens logged in once (<see cref="ApiFixture.AdminTokenOnceAsync"/>).</summary>
[CollectionDefinition(Name)]
public sealed class UserAdministrationCluster : ICollectionFixture<ApiFixture>
{
    public const string Name = "User administration";
}

/// <summary>An API whose cluster's silos are all gone (<see cref="ClusterOutageFixture"/>); its tests only read.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterOutageCluster : ICollectionFixture<ClusterOutageFixture>
{
    public const string Name = "Cluster outage";
}
