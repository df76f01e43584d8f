using Orleans.Concurrency;

namespace Surveillance.Processing;

/// <summary>Embeds search queries, on whichever silo the call lands (a stateless worker).</summary>
[Alias("surveillance.IQueryEncoderGrain")]
public interface IQueryEncoderGrain : IGrainWithIntegerKey
{
    [Alias("EncodeAsync"), ReadOnly] Task<float[]> EncodeAsync(string query);
}
