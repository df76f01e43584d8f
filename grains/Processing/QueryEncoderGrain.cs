using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Surveillance.Processing;

/// <summary>Embeds a search query on the silo that receives the call; the model stays out of the API.</summary>
[StatelessWorker]
public sealed class QueryEncoderGrain(ITextEmbedder embedder, ILogger<QueryEncoderGrain> logger) : Grain, IQueryEncoderGrain
{
    public async Task<float[]> EncodeAsync(string query)
    {
        var started = Stopwatch.GetTimestamp();
        var vector = (await embedder.EmbedAsync([query]))[0];

        // The other half of a search's time (issue 15 §4; the index grain logs its own half).
        logger.LogDebug("Query embedded in {Milliseconds:F1} ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return vector;
    }
}
