using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Surveillance.Processing;

/// <summary>
/// Loads the embedding model once when the silo starts, in the background (the silo does not wait
/// for it): otherwise the first search after a restart pays for the model's load on top of the
/// index's activation (issue 15 §4). <c>Processing:WarmUpEmbedder</c> turns it off.
/// </summary>
public sealed class EmbedderWarmUp(ITextEmbedder embedder, IOptions<ProcessingOptions> options, ILogger<EmbedderWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUpEmbedder)
        {
            return;
        }

        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await embedder.EmbedAsync(["a camera watching the gate"], stoppingToken);
            logger.LogInformation("Embedding model loaded in {Milliseconds} ms", (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not fatal: the first query loads it instead.
            logger.LogWarning(exception, "Loading the embedding model at start-up failed; the first search will load it");
        }
    }
}
