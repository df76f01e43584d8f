using Orleans.Concurrency;

namespace Surveillance.Processing;

/// <summary>Embeds a search query on the silo that receives the call; the model stays out of the API.</summary>
[StatelessWorker]
public sealed class QueryEncoderGrain(ITextEmbedder embedder) : Grain, IQueryEncoderGrain
{
    public async Task<float[]> EncodeAsync(string query) => (await embedder.EmbedAsync([query]))[0];
}
