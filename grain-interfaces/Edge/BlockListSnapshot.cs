namespace Surveillance.Edge;

/// <summary>
/// The block list at <see cref="Version"/>; <see cref="Blocks"/> is null when the subscriber already
/// holds this version. <see cref="Subscribers"/> is the number of API instances holding a copy, which
/// is how each instance knows its share of an unseen client's limit.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.BlockListSnapshot")]
public sealed record BlockListSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<BlockInfo>? Blocks,
    [property: Id(2)] int Subscribers);
