namespace Surveillance.Videos;

/// <summary>A stored, encrypted upload to record: what the API measured while streaming it.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.VideoUpload")]
public sealed record VideoUpload(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string Filename,
    [property: Id(2)] string? Description,
    [property: Id(3)] long SizeBytes,
    [property: Id(4)] string Sha256,
    [property: Id(5)] string ContentType,
    [property: Id(6)] string UploadedBy,
    [property: Id(7)] WrappedDataKey Key,
    [property: Id(8)] string FileKeyId)
{
    /// <summary>Admins may upload into any project; anyone else only into one they are a member of.</summary>
    [Id(9)] public bool UploaderIsAdmin { get; init; }
}

/// <summary>A video's data key encrypted (AES-GCM) under a master key; opaque outside the silo.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.WrappedDataKey")]
public sealed record WrappedDataKey(
    [property: Id(0)] string MasterKeyId,
    [property: Id(1)] byte[] Nonce,
    [property: Id(2)] byte[] Ciphertext);

/// <summary>A fresh data key for an upload, and the same key wrapped for storage.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.NewDataKey")]
public sealed record NewDataKey(
    [property: Id(0)] byte[] DataKey,
    [property: Id(1)] WrappedDataKey Wrapped);

/// <summary>What a download needs: the data key and the key id the file must carry.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ContentKey")]
public sealed record ContentKey(
    [property: Id(0)] byte[] DataKey,
    [property: Id(1)] string FileKeyId);
