using Surveillance.Processing;

namespace Surveillance.Tests.Processing;

/// <summary>Reading ffprobe's JSON report into the <c>media</c> of API.md.</summary>
public sealed class FfprobeReportTests
{
    [Fact]
    public void VideoStream_GivesSizeCodecRateAndTheContainersDuration()
    {
        var outcome = FfprobeReport.Parse("""
            {"streams":[{"codec_type":"audio","codec_name":"aac"},
                        {"codec_type":"video","codec_name":"h264","width":1920,"height":1080,"avg_frame_rate":"30000/1001","r_frame_rate":"30/1","duration":"9.9"}],
             "format":{"duration":"10.010000"}}
            """);

        var media = Assert.IsType<Surveillance.Videos.MediaInfo>(outcome.Media);
        Assert.Null(outcome.Error);
        Assert.Equal((1920, 1080, "h264"), (media.Width, media.Height, media.Codec));
        Assert.Equal(29.97, media.FrameRate);
        Assert.Equal(10.01, media.DurationSeconds);
    }

    [Fact]
    public void UnknownAverageRate_FallsBackToTheRealRate_AndAMissingFormatDurationToTheStreams()
    {
        var outcome = FfprobeReport.Parse("""
            {"streams":[{"codec_type":"video","codec_name":"vp9","width":64,"height":48,"avg_frame_rate":"0/0","r_frame_rate":"5/1","duration":"1.5"}],"format":{}}
            """);

        Assert.Equal(5, outcome.Media!.FrameRate);
        Assert.Equal(1.5, outcome.Media.DurationSeconds);
    }

    [Theory]
    [InlineData("""{"streams":[{"codec_type":"audio","codec_name":"mp3"}],"format":{"duration":"3"}}""", "The file holds no video stream.")]
    [InlineData("""{"streams":[],"format":{}}""", "The file holds no video stream.")]
    [InlineData("""{}""", "The file holds no video stream.")]
    [InlineData("""[]""", "The file holds no video stream.")]
    [InlineData("""{"streams":[{"codec_type":"video","codec_name":"png","width":0,"height":0}]}""", "The video stream has no picture size.")]
    [InlineData("""not json""", "The probe's report could not be read.")]
    public void NoUsableVideoStream_IsAFailure_WithAReadableReason(string json, string error)
    {
        var outcome = FfprobeReport.Parse(json);

        Assert.Null(outcome.Media);
        Assert.Equal(error, outcome.Error);
    }
}
