using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Surveillance.Api.Http;

/// <summary>API.md: times are ISO-8601 UTC, e.g. <c>2026-11-27T10:30:00Z</c>.</summary>
public sealed class UtcTimestamp : JsonConverter<DateTimeOffset>
{
    private const string Format_ = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(Format_, CultureInfo.InvariantCulture);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));
}
