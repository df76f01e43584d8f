using Microsoft.Extensions.Options;
using Surveillance.Processing;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Processing;

/// <summary>
/// Without a strong <c>Results:HmacKey</c> anyone who can write the database could forge results
/// that verify: a silo refuses to start with a missing or weak one.
/// </summary>
public sealed class ResultsKeyStartupTests
{
    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0dQ==")] // 31 bytes
    public void MissingOrWeakResultsKey_IsRefused_NamingTheKey(string key)
    {
        var result = new ResultsOptionsValidator().Validate(null, new ResultsOptions { HmacKey = key });

        Assert.True(result.Failed);
        Assert.Contains("Results:HmacKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ThirtyTwoRandomBytes_AreAccepted() =>
        Assert.True(new ResultsOptionsValidator().Validate(null, new ResultsOptions { HmacKey = new TestSettings().ResultsHmacKey }).Succeeded);

    [Fact]
    public async Task Silo_WithoutAResultsKey_RefusesToStart()
    {
        var settings = new TestSettings { Overrides = new() { ["Results:HmacKey"] = "" } };

        var failure = await Record.ExceptionAsync(async () => await (await TestCluster.StartAsync(settings)).DisposeAsync());

        Assert.NotNull(failure);
        Assert.Contains("Results:HmacKey", Flatten(failure), StringComparison.Ordinal);
    }

    private static string Flatten(Exception exception) => exception switch
    {
        AggregateException aggregate => string.Join(" | ", aggregate.InnerExceptions.Select(Flatten)),
        OptionsValidationException options => string.Join(" | ", options.Failures),
        _ when exception.InnerException is { } inner => exception.Message + " | " + Flatten(inner),
        _ => exception.Message,
    };
}
