using Surveillance.Edge;

namespace Surveillance.Tests.Grains;

/// <summary>
/// The grain behind the edge: an exact sliding-window limit that holds across leases, threat and
/// failed-login counting that blocks at the threshold, manual blocks, and the cluster's list of
/// blocked IPs, which never shows an expired block.
/// </summary>
public sealed class ClientIpGrainTests(ClientIpGrainFixture fixture) : IClassFixture<ClientIpGrainFixture>
{
    [Fact]
    public async Task Admit_GrantsAtMostTheLimit_InTotal_AcrossLeases()
    {
        var grain = fixture.Ip(ClientIpGrainFixture.NewIp());
        var rule = new RateRule("default", 10, 60);

        var first = await grain.AdmitAsync(rule, 4, 0, 0);
        var second = await grain.AdmitAsync(rule, 4, 0, 0);
        var third = await grain.AdmitAsync(rule, 4, 0, 0);
        var fourth = await grain.AdmitAsync(rule, 4, 0, 0);

        Assert.Equal([4, 4, 2, 0], new[] { first.Granted, second.Granted, third.Granted, fourth.Granted });
        Assert.Equal([6, 2, 0, 0], new[] { first.Remaining, second.Remaining, third.Remaining, fourth.Remaining });
        Assert.All(new[] { first, second, third, fourth }, a => Assert.Equal(10, a.Limit));
        Assert.All(new[] { first, second, third, fourth }, a => Assert.Null(a.Block));
        Assert.InRange(fourth.ResetAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(61));
    }

    [Fact]
    public async Task Admit_UnspentPermitsReturned_AreGrantedAgain_AndNeverMoreThanTheLimit()
    {
        var grain = fixture.Ip(ClientIpGrainFixture.NewIp());
        var rule = new RateRule("search", 5, 60);
        Assert.Equal(5, (await grain.AdmitAsync(rule, 5, 0, 0)).Granted);
        Assert.Equal(0, (await grain.AdmitAsync(rule, 1, 0, 0)).Granted);

        // Three of the five were never spent: the next lease may have them.
        var again = await grain.AdmitAsync(rule, 5, 3, 0);

        Assert.Equal(3, again.Granted);
        Assert.Equal(0, again.Remaining);
        // Returning more than was ever leased gives back only what is there.
        var flood = await grain.AdmitAsync(rule, 50, 1000, 0);
        Assert.Equal(5, flood.Granted);
        Assert.Equal(0, (await grain.AdmitAsync(rule, 1, 0, 0)).Granted);
    }

    [Fact]
    public async Task Admit_RulesHaveSeparateWindows()
    {
        var grain = fixture.Ip(ClientIpGrainFixture.NewIp());
        var login = new RateRule("login", 2, 300);
        var frames = new RateRule("frames", 3, 60);

        Assert.Equal(2, (await grain.AdmitAsync(login, 5, 0, 0)).Granted);
        Assert.Equal(0, (await grain.AdmitAsync(login, 1, 0, 0)).Granted);
        Assert.Equal(3, (await grain.AdmitAsync(frames, 5, 0, 0)).Granted);

        var status = await grain.GetStatusAsync();
        Assert.Equal(2, status.RateWindows.Single(w => w.Rule == "login").Used);
        Assert.Equal(3, status.RateWindows.Single(w => w.Rule == "frames").Used);
    }

    [Fact]
    public async Task Admit_SlidingWindow_FreesEachPermitOneWindowAfterItWasGranted()
    {
        var grain = fixture.Ip(ClientIpGrainFixture.NewIp());
        var rule = new RateRule("default", 2, 3);
        var first = await grain.AdmitAsync(rule, 1, 0, 0);
        Assert.Equal(1, first.Granted);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var second = await grain.AdmitAsync(rule, 1, 0, 0);
        Assert.Equal(1, second.Granted);
        Assert.Equal(0, (await grain.AdmitAsync(rule, 1, 0, 0)).Granted);
        // Both figures name the moment the oldest permit leaves the window.
        Assert.Equal(first.ResetAt, second.ResetAt);

        await DelayUntilAsync(second.ResetAt.AddMilliseconds(100));
        var afterFirstLeft = await grain.AdmitAsync(rule, 2, 0, 0);

        // A fixed window would now hand out both permits; a sliding one frees only the first.
        Assert.Equal(1, afterFirstLeft.Granted);
        Assert.Equal(0, afterFirstLeft.Remaining);
    }

    [Fact]
    public async Task RecordThreat_BlocksAtMaxThreats_AndTheBlockRefusesEveryRule()
    {
        var ip = ClientIpGrainFixture.NewIp();
        var grain = fixture.Ip(ip);
        for (var i = 1; i < ClientIpGrainFixture.MaxThreats; i++)
        {
            Assert.Null(await grain.RecordThreatAsync("malicious_xss"));
        }

        var block = await grain.RecordThreatAsync("malicious_sqli");

        Assert.NotNull(block);
        Assert.Equal(ip, block.Ip);
        Assert.Equal(ClientIpGrainFixture.MaxThreats, block.ThreatCount);
        Assert.Equal(TimeSpan.FromSeconds(ClientIpGrainFixture.BlockSeconds), block.ExpiresAt - block.BlockedAt);
        Assert.Contains("malicious_sqli", block.Reason);
        var admission = await grain.AdmitAsync(new RateRule("default", 100, 60), 5, 0, 0);
        Assert.Equal(0, admission.Granted);
        Assert.Equal(block, admission.Block);
        Assert.Equal(block, (await grain.GetStatusAsync()).Block);
        Assert.Contains(await fixture.BlockedIps.ListAsync(), b => b.Ip == ip);
        // A further threat finds the same block rather than extending or stacking it.
        Assert.Equal(block, await grain.RecordThreatAsync("malicious_xss"));
    }

    [Fact]
    public async Task RecordFailedLogin_BlocksAtMaxFailedLogins()
    {
        var grain = fixture.Ip(ClientIpGrainFixture.NewIp());
        for (var i = 1; i < ClientIpGrainFixture.MaxFailedLogins; i++)
        {
            Assert.Null(await grain.RecordFailedLoginAsync());
        }

        var block = await grain.RecordFailedLoginAsync();

        Assert.NotNull(block);
        var status = await grain.GetStatusAsync();
        Assert.Equal(ClientIpGrainFixture.MaxFailedLogins, status.FailedLogins);
        Assert.Equal(1, status.BlockCount);
    }

    [Fact]
    public async Task AllowlistedIp_IsNeverBlockedByThreats()
    {
        var ip = "192.0.2.77";
        var grain = fixture.Ip(ip);

        for (var i = 0; i < 2 * ClientIpGrainFixture.MaxThreats; i++)
        {
            Assert.Null(await grain.RecordThreatAsync("malicious_cmd_injection"));
            Assert.Null(await grain.RecordFailedLoginAsync());
        }

        var status = await grain.GetStatusAsync();
        Assert.True(status.Allowlisted);
        Assert.Null(status.Block);
        Assert.Equal(2 * ClientIpGrainFixture.MaxThreats, status.Threats.Count);
    }

    [Fact]
    public async Task BlockAndUnblock_ManualBlockHolds_UnblockLiftsItAndClearsTheHistory()
    {
        var ip = ClientIpGrainFixture.NewIp();
        var grain = fixture.Ip(ip);
        Assert.Null(await grain.RecordThreatAsync("malicious_xss"));

        var block = await grain.BlockAsync("manual: scanning", 600);

        Assert.Equal("manual: scanning", block.Reason);
        Assert.Equal(TimeSpan.FromSeconds(600), block.ExpiresAt - block.BlockedAt);
        Assert.Equal(1, block.ThreatCount);
        Assert.Equal(0, (await grain.AdmitAsync(new RateRule("login", 10, 300), 1, 0, 0)).Granted);
        Assert.Contains(await fixture.BlockedIps.ListAsync(), b => b.Ip == ip);

        Assert.True(await grain.UnblockAsync());

        var status = await grain.GetStatusAsync();
        Assert.Null(status.Block);
        Assert.Empty(status.Threats);
        Assert.Equal(0, status.FailedLogins);
        Assert.DoesNotContain(await fixture.BlockedIps.ListAsync(), b => b.Ip == ip);
        Assert.Equal(1, (await grain.AdmitAsync(new RateRule("login", 10, 300), 1, 0, 0)).Granted);
        Assert.False(await grain.UnblockAsync());
        // The history is gone: MaxThreats − 1 new threats do not block.
        for (var i = 1; i < ClientIpGrainFixture.MaxThreats; i++)
        {
            Assert.Null(await grain.RecordThreatAsync("malicious_xss"));
        }
    }

    [Fact]
    public async Task BlockedIpsList_ExcludesExpiredBlocks()
    {
        var shortIp = ClientIpGrainFixture.NewIp();
        var longIp = ClientIpGrainFixture.NewIp();
        var shortBlock = await fixture.Ip(shortIp).BlockAsync("short", 1);
        await fixture.Ip(longIp).BlockAsync("long", 600);
        Assert.Contains(await fixture.BlockedIps.ListAsync(), b => b.Ip == shortIp);

        await DelayUntilAsync(shortBlock.ExpiresAt.AddMilliseconds(100));

        var list = await fixture.BlockedIps.ListAsync();
        Assert.DoesNotContain(list, b => b.Ip == shortIp);
        Assert.Contains(list, b => b.Ip == longIp);
        Assert.All(list, b => Assert.True(b.ExpiresAt > DateTimeOffset.UtcNow.AddMilliseconds(-100)));
        Assert.Null((await fixture.Ip(shortIp).GetStatusAsync()).Block);
        Assert.Equal(1, (await fixture.Ip(shortIp).AdmitAsync(new RateRule("default", 5, 60), 1, 0, 0)).Granted);
    }

    [Fact]
    public async Task BlockedIpsList_IsNewestFirst()
    {
        var older = ClientIpGrainFixture.NewIp();
        var newer = ClientIpGrainFixture.NewIp();
        await fixture.Ip(older).BlockAsync("older", 600);
        await Task.Delay(20);
        await fixture.Ip(newer).BlockAsync("newer", 600);

        var ips = (await fixture.BlockedIps.ListAsync()).Select(b => b.Ip).ToList();

        Assert.True(ips.IndexOf(newer) < ips.IndexOf(older), string.Join(", ", ips));
        Assert.Equal(ips.Count, ips.Distinct().Count());
    }

    private static async Task DelayUntilAsync(DateTimeOffset moment)
    {
        var wait = moment - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
