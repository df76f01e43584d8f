using System.Diagnostics;
using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Observability;

/// <summary>
/// README "Observability": each API and silo serves its metrics on a scrape port of its own, with
/// our series next to Orleans', ASP.NET Core's and the runtime's. The test host runs API and silo
/// in one process, and a meter listener sees every meter of its process: so each endpoint here
/// also shows the other's series; what is checked is that each endpoint serves them and that the
/// values follow what the test did.
/// </summary>
[Collection(SharedObservabilityCluster.Name)]
public sealed class ScrapeEndpointTests(ObservabilityFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AfterLoginUploadProbeAndSearch_BothScrapeEndpoints_ShowTheCustomSeries_WithPlausibleValues()
    {
        var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostLoginAsync("admin", "not-the-password")).StatusCode);
        var admin = await fixture.AdminTokenOnceAsync();
        var (processor, processorToken) = await fixture.NewUserAsync("processor");
        var projectId = await fixture.NewProjectAsync(null, processor);
        var video = fixture.Samples.Bytes("h264.mp4");
        var videoId = await fixture.UploadVideoAsync(admin, projectId, "gate.mp4", video);
        var results = await client.SendAsync(HttpMethod.Post, $"/surveillance/videos/{videoId}/results", processorToken, new
        {
            model_version = "m",
            frames = new[] { new { timestamp = 0.2, caption = "a red car near the gate", detected_objects = Array.Empty<object>() } },
        });
        Assert.True(results.IsSuccessStatusCode, $"results: {(int)results.StatusCode}");
        await SearchUntilFoundAsync(processorToken, projectId);

        var api = await PrometheusScrape.ReadAsync(fixture.ApiScrapeEndpoint);
        Assert.True(api.Sum("surveillance_logins_total", ("outcome", "success")) >= 1, api.Text);
        Assert.True(api.Sum("surveillance_logins_total", ("outcome", "wrong_password")) >= 1, api.Text);
        Assert.True(api.Sum("surveillance_upload_bytes_total") >= video.Length, api.Text);
        Assert.True(api.Sum("surveillance_upload_duration_seconds_count") >= 1, api.Text);
        Assert.True(api.Sum("surveillance_search_duration_seconds_count") >= 1, api.Text);
        Assert.True(api.Sum("surveillance_search_duration_seconds_sum") > 0, api.Text);
        Assert.True(api.Sum("surveillance_audit_appends_total") >= 1, api.Text);
        Assert.True(api.Sum("http_server_request_duration_seconds_count", ("http_route", "/auth/login")) >= 2, api.Text);

        var silo = await PrometheusScrape.ReadAsync(fixture.SiloScrapeEndpoint);
        Assert.True(silo.Sum("surveillance_probe_duration_seconds_count", ("outcome", "succeeded")) >= 1, silo.Text);
        Assert.True(silo.Sum("surveillance_search_indexes") >= 1, silo.Text);
        Assert.True(silo.Has("surveillance_search_index_frames"), silo.Text);
        Assert.Contains(silo.Text.Split('\n'), line => line.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains(silo.Text.Split('\n'), line => line.StartsWith("dotnet_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublicPort_DoesNotServeMetrics_SoClientsCannotReadOperationalFigures()
    {
        var response = await fixture.CreateClient().GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("surveillance_", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ScrapePort_ServesNothingButMetrics_SoItCannotBypassTheEdgeToReachTheApi()
    {
        using var http = new HttpClient();
        foreach (var endpoint in new[] { fixture.ApiScrapeEndpoint, fixture.SiloScrapeEndpoint })
        {
            foreach (var path in new[] { "/auth/login", "/health", "/surveillance/videos", "/dashboard", "/metrics/../auth/me" })
            {
                var response = await http.GetAsync(new Uri(endpoint, path));
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
        }
    }

    private async Task SearchUntilFoundAsync(string token, string projectId)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            var response = await fixture.CreateClient().SendAsync(HttpMethod.Post, "/surveillance/search", token,
                new { query = "red car", project_id = projectId, threshold = 0 });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if ((await response.ReadJsonAsync())["total_results"]!.GetValue<int>() > 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the frame was not searchable after {Deadline.TotalSeconds} s");
    }
}
