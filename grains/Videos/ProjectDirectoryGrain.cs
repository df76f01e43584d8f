namespace Surveillance.Videos;

public sealed class ProjectDirectoryGrain(
    [PersistentState("projects", StorageNames.Main)] IPersistentState<ProjectDirectoryState> state)
    : Grain, IProjectDirectoryGrain
{
    public async Task AddAsync(string projectId)
    {
        if (state.State.ProjectIds.Add(projectId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.ProjectIds.Order(StringComparer.Ordinal).ToList());
}
