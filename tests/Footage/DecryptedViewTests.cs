using System.Net;
using System.Net.Http.Headers;
using Surveillance.Errors;

namespace Surveillance.Tests.Footage;

/// <summary>
/// The seekable view's guarantees: loopback only, byte ranges of the exact plaintext, a token bound
/// to one video that stops working when its view is disposed or its lifetime ends, and bounded.
/// </summary>
public sealed class DecryptedViewTests(FootageSamples samples) : IClassFixture<FootageSamples>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task View_ListensOnLoopbackOnly_AndServesTheExactPlaintextRange()
    {
        var content = samples.Bytes("mpeg4-index-at-end.mp4");
        var stored = await samples.StoreAsync(content);
        await using var server = samples.NewServer();
        await using var view = await server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMinutes(1), CancellationToken.None);

        using var request = new HttpRequestMessage(HttpMethod.Get, view.Url);
        request.Headers.Range = new RangeHeaderValue(1000, 9_999);
        using var response = await Http.SendAsync(request);

        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(view.Url.Host)));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes 1000-9999/{content.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(content[1000..10_000], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SeeksOneAfterAnother_AsFfmpegMakesThem_EachGetTheExactPlaintext()
    {
        // Each request reuses the file and reader the previous one left: the bytes must not show it.
        // Four segments of 1 MiB (the last one short), so ranges cross segment boundaries.
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes((3 * 1024 * 1024) + 123_457);
        var stored = await samples.StoreAsync(content);
        await using var server = samples.NewServer();
        await using var view = await server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMinutes(1), CancellationToken.None);
        const long Segment = 1024 * 1024;

        foreach (var (from, to) in new (long, long?)[]
        {
            (0, null), (content.Length - 700, null), (48, 5_000), (Segment - 10, Segment + 10), (content.Length / 2, null), (0, 99),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, view.Url);
            request.Headers.Range = new RangeHeaderValue(from, to);
            using var response = await Http.SendAsync(request);

            var end = (int)(to ?? content.Length - 1) + 1;
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(content[(int)from..end], await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task GuessedOrForeignToken_IsRefused_AndATokenDiesWithItsView()
    {
        var stored = await samples.StoreAsync(samples.Bytes("mpeg4.avi"));
        await using var server = samples.NewServer();
        var view = await server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMinutes(1), CancellationToken.None);
        var url = view.Url;
        var guessed = new Uri(url, "/" + new string('0', 64));

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(guessed)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri(url, "/"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(url)).StatusCode);

        await view.DisposeAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(url)).StatusCode);
        Assert.Equal(0, server.OpenViews);
    }

    [Fact]
    public async Task LeakedToken_StopsWorking_WhenTheViewsLifetimeEnds_EvenIfNeverDisposed()
    {
        var stored = await samples.StoreAsync(samples.Bytes("mpeg4.avi"));
        await using var server = samples.NewServer();
        var view = await server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        await Task.Delay(TimeSpan.FromMilliseconds(600));

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(view.Url)).StatusCode);
    }

    [Fact]
    public async Task ManyViewsAtOnce_BeyondTheLimit_AreRefusedAsUnavailable_NotQueued()
    {
        var stored = await samples.StoreAsync(samples.Bytes("mpeg4.avi"));
        await using var server = samples.NewServer(FootageSamples.Options(o => o.MaxOpenViews = 2));
        await using var first = await server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMinutes(1), CancellationToken.None);
        await using var second = await server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMinutes(1), CancellationToken.None);

        var refusal = await Assert.ThrowsAsync<DomainException>(() =>
            server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Equal(DomainError.Unavailable, refusal.Error);
    }

    [Fact]
    public async Task ViewOfAVideo_UnderAnotherVideosKey_IsNeverOpened()
    {
        var mine = await samples.StoreAsync(samples.Bytes("mpeg4.avi"));
        var other = await samples.StoreAsync(samples.Bytes("mjpeg.avi"));
        await using var server = samples.NewServer();

        await Assert.ThrowsAsync<Surveillance.Storage.VideoIntegrityException>(() =>
            server.OpenAsync(mine.VideoId, mine.ProjectId, other.Key, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(0, server.OpenViews);
    }
}
