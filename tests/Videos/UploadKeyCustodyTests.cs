using Surveillance.Errors;
using Surveillance.Videos;

namespace Surveillance.Tests.Videos;

/// <summary>
/// The video grain keeps the wrapped data key it issues for an upload; the API only gets the data
/// key to encrypt with. The attacks: a compromised API (or any other client of the grain) tries to
/// make a video record a key it did not issue for that video and project — another video's key, a
/// key swapped mid-upload, or none at all.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class UploadKeyCustodyTests(VideosFixture fixture)
{
    private IVideoGrain Video(string videoId) => fixture.Cluster.Client.GetGrain<IVideoGrain>(videoId);

    private static VideoUpload Upload(string projectId) =>
        new(projectId, "clip.mp4", null, 1024, new string('0', 64), "video/mp4", "admin") { UploaderIsAdmin = true };

    [Fact]
    public async Task ApiEchoingAnotherVideosKey_CannotMakeTheGrainRecordIt_TheVideoKeepsTheKeyIssuedForIt()
    {
        var projectId = await fixture.NewProjectAsync();
        var (victimId, otherId) = (VideoIds.New(), VideoIds.New());
        var issued = await Video(victimId).IssueUploadKeyAsync(projectId);
        var other = await Video(otherId).IssueUploadKeyAsync(projectId);

        // The record of an upload has no member that could carry key material to echo.
        Assert.DoesNotContain(typeof(VideoUpload).GetProperties(),
            p => p.PropertyType == typeof(WrappedDataKey) || p.PropertyType == typeof(ContentKey) || p.PropertyType == typeof(byte[]));

        await Video(victimId).RecordUploadAsync(Upload(projectId));

        var recorded = await Video(victimId).GetContentKeyAsync();
        Assert.Equal(issued.DataKey, recorded.DataKey);
        Assert.Equal(issued.FileKeyId, recorded.FileKeyId);
        Assert.NotEqual(other.DataKey, recorded.DataKey);
        Assert.NotEqual(other.FileKeyId, recorded.FileKeyId);
    }

    [Fact]
    public async Task RogueClientRecordingAnUploadNoKeyWasIssuedFor_IsRefused_AndNoVideoExists()
    {
        var projectId = await fixture.NewProjectAsync();
        var videoId = VideoIds.New();

        var refusal = await Assert.ThrowsAsync<DomainException>(() => Video(videoId).RecordUploadAsync(Upload(projectId)));

        Assert.Equal(DomainError.Conflict, refusal.Error);
        Assert.Null(await Video(videoId).GetAsync());
        await Assert.ThrowsAsync<DomainException>(() => Video(videoId).GetContentKeyAsync());
    }

    [Fact]
    public async Task RogueClientReissuingTheKeyOfAnUploadUnderWay_IsRefused_TheFirstKeyStands()
    {
        var projectId = await fixture.NewProjectAsync();
        var videoId = VideoIds.New();
        var issued = await Video(videoId).IssueUploadKeyAsync(projectId);

        var refusal = await Assert.ThrowsAsync<DomainException>(() => Video(videoId).IssueUploadKeyAsync(projectId));

        Assert.Equal(DomainError.Conflict, refusal.Error);
        await Video(videoId).RecordUploadAsync(Upload(projectId));
        Assert.Equal(issued.DataKey, (await Video(videoId).GetContentKeyAsync()).DataKey);
    }

    [Fact]
    public async Task RogueClientRecordingIntoAnotherProjectThanTheKeyWasIssuedFor_IsRefused_AndNoVideoExists()
    {
        var (issuedFor, target) = (await fixture.NewProjectAsync(), await fixture.NewProjectAsync());
        var videoId = VideoIds.New();
        await Video(videoId).IssueUploadKeyAsync(issuedFor);

        var refusal = await Assert.ThrowsAsync<DomainException>(() => Video(videoId).RecordUploadAsync(Upload(target)));

        Assert.Equal(DomainError.Conflict, refusal.Error);
        Assert.Null(await Video(videoId).GetAsync());
    }

    [Fact]
    public async Task AbandonedUpload_ForgetsItsKey_AndCannotBeRecordedAfterwards()
    {
        var projectId = await fixture.NewProjectAsync();
        var videoId = VideoIds.New();
        await Video(videoId).IssueUploadKeyAsync(projectId);

        await Video(videoId).AbandonUploadAsync();

        await Assert.ThrowsAsync<DomainException>(() => Video(videoId).RecordUploadAsync(Upload(projectId)));
        Assert.Null(await Video(videoId).GetAsync());
    }
}
