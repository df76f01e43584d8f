namespace Surveillance.Tests.Observability;

[Collection(SharedObservabilityCluster.Name)]
public sealed class TmpDump(ObservabilityFixture fixture)
{
    [Fact]
    public async Task Dump()
    {
        var admin = await fixture.AdminTokenAsync();
        var projectId = await fixture.NewProjectAsync();
        await fixture.UploadVideoAsync(admin, projectId, "gate.mp4", fixture.Samples.Bytes("h264.mp4"));
        await Task.Delay(3000);
        File.WriteAllText("/tmp/otel-api-scrape.txt", (await PrometheusScrape.ReadAsync(fixture.ApiScrapeEndpoint)).Text);
        File.WriteAllText("/tmp/otel-silo-scrape.txt", (await PrometheusScrape.ReadAsync(fixture.SiloScrapeEndpoint)).Text);
    }
}
