namespace Surveillance;

/// <summary>Names of the grain storage providers the silo registers.</summary>
public static class StorageNames
{
    /// <summary>PostgreSQL (ADO.NET) storage for all durable grain state.</summary>
    public const string Main = "surveillance";
}
