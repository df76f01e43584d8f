using Orleans.Concurrency;

namespace Surveillance.Videos;

/// <summary>The ids of all projects (key 0).</summary>
[Alias("surveillance.IProjectDirectoryGrain")]
public interface IProjectDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("AddAsync")] Task AddAsync(string projectId);

    [Alias("ListAsync"), ReadOnly] Task<IReadOnlyList<string>> ListAsync();
}
