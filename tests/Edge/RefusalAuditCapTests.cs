using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Api.Edge;
using Surveillance.Telemetry;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Issue 10: a login storm from a botnet is refused once per address; aggregating refusals per client
/// would still write one audit row per request. Past the configured number of clients per period the
/// refusals share one <c>*</c> row, whose count keeps the total.
/// </summary>
public sealed class RefusalAuditCapTests
{
    [Fact]
    public void BotnetRefusedOncePerAddress_PastTheCap_SharesOneRow_AndNoRefusalIsLost()
    {
        var audit = new CapturingAuditLog();
        var refusals = new EdgeRefusals(audit, Options.Create(new RateLimitOptions { RefusalAuditMaxClients = 3 }), TimeProvider.System);
        using var services = new ServiceCollection().AddMetrics().AddSurveillanceMetrics().BuildServiceProvider();

        for (var i = 0; i < 50; i++)
        {
            refusals.Count(new DefaultHttpContext { RequestServices = services }, $"100.64.0.{i}", StatusCodes.Status503ServiceUnavailable, "SERVICE_UNAVAILABLE");
        }

        refusals.Flush();

        Assert.Equal(4, audit.Entries.Count);
        Assert.Equal(3, audit.Entries.Count(e => e.ClientIp != "*"));
        Assert.Equal("47", Assert.Single(audit.Entries, e => e.ClientIp == "*").Details!["count"]);
        Assert.Equal(50, audit.Entries.Sum(e => int.Parse(e.Details!["count"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(audit.Entries, e => Assert.Equal(EdgeRefusals.LoginBusyEvent, e.Event));
    }
}
