using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Surveillance.Tests.Infrastructure;

/// <summary>
/// One API instance, hosted in-process, talking to a <see cref="TestCluster"/> through its real
/// Orleans client. Several hosts on one cluster are several API instances.
/// </summary>
public sealed class ApiHost(TestCluster cluster, Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    /// <summary>Test-only header that sets the socket address the API sees (TestServer has none).</summary>
    public const string ClientIpHeader = "X-Test-Socket-Ip";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in cluster.Settings.ApiConfiguration())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(cluster.Client);
            services.AddSingleton<IGrainFactory>(cluster.Client);
            services.AddSingleton<IStartupFilter, SocketAddressFromHeader>();
            configureServices?.Invoke(services);
        });
    }

    private sealed class SocketAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress =
                    IPAddress.TryParse(context.Request.Headers[ClientIpHeader], out var ip) ? ip : IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
