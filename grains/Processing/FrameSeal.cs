using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Surveillance.Processing;

/// <summary>
/// Seals stored results: HMAC-SHA256, under <c>Results:HmacKey</c>, over a canonical JSON array of
/// every stored field. A row changed outside the API (caption, objects, time, or moved to another
/// frame, video or project) no longer matches its seal and is not served.
/// </summary>
public sealed class FrameSeal(IOptions<ResultsOptions> options)
{
    private const string FormatVersion = "frame-v1";
    private static readonly JsonSerializerOptions ObjectsJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly byte[] _key = options.Value.KeyBytes;

    /// <summary>The canonical JSON of a frame's objects, as stored and sealed.</summary>
    public static string SerializeObjects(IReadOnlyList<DetectedObject> objects) => JsonSerializer.Serialize(objects, ObjectsJson);

    public static IReadOnlyList<DetectedObject> DeserializeObjects(string json) =>
        JsonSerializer.Deserialize<List<DetectedObject>>(json, ObjectsJson) ?? [];

    public StoredFrame Seal(StoredFrame frame) => frame with { Seal = Compute(frame) };

    public bool Verify(StoredFrame frame) => CryptographicOperations.FixedTimeEquals(Compute(frame), frame.Seal);

    /// <summary>The frame as served, when its seal holds; null otherwise.</summary>
    public FrameInfo? Open(StoredFrame frame) => Verify(frame)
        ? new FrameInfo(frame.FrameId, frame.VideoId, frame.ProjectId, frame.Timestamp, frame.Caption,
            DeserializeObjects(frame.ObjectsJson), frame.ModelVersion, frame.CreatedAt)
        : null;

    private byte[] Compute(StoredFrame frame)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (frame.Caption.Length * 3) + (frame.ObjectsJson.Length * 3));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(FormatVersion);
            json.WriteStringValue(frame.FrameId);
            json.WriteStringValue(frame.VideoId);
            json.WriteStringValue(frame.ProjectId);
            json.WriteNumberValue(frame.Sequence);
            json.WriteNumberValue(frame.Timestamp);
            json.WriteStringValue(frame.Caption);
            json.WriteStringValue(frame.ObjectsJson);
            json.WriteStringValue(frame.ModelVersion);
            json.WriteNumberValue(frame.CreatedAt.ToUnixTimeMilliseconds());
            json.WriteEndArray();
        }

        return HMACSHA256.HashData(_key, buffer.WrittenSpan);
    }
}
