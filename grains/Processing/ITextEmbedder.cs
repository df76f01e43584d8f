namespace Surveillance.Processing;

/// <summary>Turns text into unit-length sentence embeddings, so a dot product is the cosine similarity.</summary>
public interface ITextEmbedder
{
    int Dimensions { get; }

    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}
