using Microsoft.Extensions.Options;
using Surveillance.Errors;
using Surveillance.Identity;

namespace Surveillance.Videos;

public sealed class ProjectGrain(
    [PersistentState("project", StorageNames.Main)] IPersistentState<ProjectState> state,
    IOptions<RetentionOptions> retention,
    TimeProvider clock) : Grain, IProjectGrain, IRemindable
{
    private const string RetentionReminder = "retention";
    private string ProjectId => this.GetPrimaryKeyString();

    public Task<ProjectInfo?> GetAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToInfo(ProjectId) : null);

    public async Task<ProjectInfo> CreateAsync(NewProject project, string createdBy)
    {
        if (state.RecordExists)
        {
            throw DomainException.Conflict($"The project '{ProjectId}' exists.");
        }

        state.State = new ProjectState
        {
            Name = ProjectRules.Name(project.Name),
            Description = ProjectRules.Description(project.Description),
            RetentionDays = ProjectRules.RetentionDays(project.RetentionDays),
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = createdBy,
        };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IProjectDirectoryGrain>(0).AddAsync(ProjectId);
        await ScheduleRetentionAsync();
        return state.State.ToInfo(ProjectId);
    }

    public async Task AcceptUploadAsync(string videoId, string uploader, bool uploaderIsAdmin)
    {
        // One turn of this grain: no creation, membership change or other upload can come between
        // the check and the video joining the project. A project someone else created while the
        // file was streaming is not joined: to a non-member it does not exist (404).
        if (!state.RecordExists)
        {
            await CreateAsync(new NewProject(ProjectId, null, null), uploader);
            await AddMemberAsync(uploader);
        }
        else if (!uploaderIsAdmin && !state.State.Members.Contains(uploader))
        {
            throw DomainException.NotFound("No such project.");
        }

        await AddVideoAsync(videoId);
    }

    public async Task<ProjectInfo> UpdateAsync(ProjectPatch patch)
    {
        var project = RequireExisting();
        var name = patch.Name is null ? project.Name : ProjectRules.Name(patch.Name);
        var description = patch.Description is null ? project.Description : ProjectRules.Description(patch.Description);
        var days = patch.ClearRetention ? null : patch.RetentionDays is null ? project.RetentionDays : ProjectRules.RetentionDays(patch.RetentionDays);
        (project.Name, project.Description, project.RetentionDays) = (name, description, days);
        await state.WriteStateAsync();
        await ScheduleRetentionAsync();
        return project.ToInfo(ProjectId);
    }

    public async Task AddMemberAsync(string username)
    {
        var project = RequireExisting();
        if (await GrainFactory.GetGrain<IUserGrain>(username).GetAsync() is null)
        {
            throw DomainException.NotFound("No such user.");
        }

        if (project.Members.Add(username))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveMemberAsync(string username)
    {
        // Tolerates a missing project: a user's deletion sweeps every listed project.
        if (state.RecordExists && state.State.Members.Remove(username))
        {
            await state.WriteStateAsync();
        }
    }

    private async Task AddVideoAsync(string videoId)
    {
        if (RequireExisting().VideoIds.Add(videoId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveVideoAsync(string videoId)
    {
        if (state.RecordExists && state.State.VideoIds.Remove(videoId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <summary>
    /// Crypto-shreds the videos older than the retention. A reminder, not a timer: it is durable,
    /// so it fires after a silo restart or on another silo too.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!state.RecordExists || state.State.RetentionDays is not { } days)
        {
            await ScheduleRetentionAsync();
            return;
        }

        var cutoff = clock.GetUtcNow().AddSeconds(-(double)days * retention.Value.DaySeconds);

        // An expiring video removes itself from this project (RemoveVideoAsync) while this call
        // waits for it: without call-chain reentrancy that call waits behind this one, and both
        // hang until the response timeout, with the video's state already cleared.
        using (RequestContext.AllowCallChainReentrancy())
        {
            foreach (var videoId in state.State.VideoIds.ToList())
            {
                await GrainFactory.GetGrain<IVideoGrain>(videoId).ExpireAsync(cutoff);
            }
        }
    }

    private async Task ScheduleRetentionAsync()
    {
        var reminder = await this.GetReminder(RetentionReminder);
        if (state.RecordExists && state.State.RetentionDays is not null)
        {
            if (reminder is null)
            {
                var interval = TimeSpan.FromSeconds(retention.Value.CheckIntervalSeconds);
                await this.RegisterOrUpdateReminder(RetentionReminder, interval, interval);
            }
        }
        else if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private ProjectState RequireExisting() =>
        state.RecordExists ? state.State : throw DomainException.NotFound("No such project.");
}
