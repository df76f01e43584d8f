namespace Surveillance.Videos;

/// <summary>
/// A stored, encrypted upload to record: what the API measured while streaming it. It carries no
/// key: the grain records the one it issued (ids 7 and 8, the wrapped key and key id the API used
/// to echo, are retired).
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.VideoUpload")]
public sealed record VideoUpload(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string Filename,
    [property: Id(2)] string? Description,
    [property: Id(3)] long SizeBytes,
    [property: Id(4)] string Sha256,
    [property: Id(5)] string ContentType,
    [property: Id(6)] string UploadedBy)
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

/// <summary>
/// What encrypting an upload or reading a download needs: the data key and the key id the file
/// carries (hex).
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.ContentKey")]
public sealed record ContentKey(
    [property: Id(0)] byte[] DataKey,
    [property: Id(1)] string FileKeyId);
