namespace Surveillance.Silo.Health;

/// <summary>
/// <c>GET /health/live</c> and <c>GET /health/ready</c> on the silo's health port
/// (<see cref="SiloHostOptions.HealthUrl"/>), for Kubernetes probes. The port is reachable from
/// outside the pod, so it serves these two paths and nothing else: the dashboard (no
/// authentication of its own) stays on its loopback port, whatever Host header a request names.
/// </summary>
public static class SiloHealthApi
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>Seconds a client should wait before asking a silo that is not ready again.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// Serves the health port. Requests are told apart by the local port they arrived on (not by
    /// Host, which the client chooses), before any endpoint of the dashboard port runs.
    /// </summary>
    public static WebApplication UseSiloHealthPort(this WebApplication app, int healthPort)
    {
        app.MapWhen(context => context.Connection.LocalPort == healthPort, health => health.Run(ServeAsync));
        return app;
    }

    private static async Task ServeAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        switch (context.Request.Path.Value)
        {
            case LivePath:
                // The process serves HTTP: nothing else. A database outage must not make
                // Kubernetes restart every silo; readiness takes care of traffic.
                await context.Response.WriteAsJsonAsync(new { status = "alive" }, context.RequestAborted);
                return;
            case ReadyPath:
                var report = await context.RequestServices.GetRequiredService<SiloReadiness>().CheckAsync(context.RequestAborted);
                if (!report.Ready)
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await context.Response.WriteAsJsonAsync(
                    new { status = report.Ready ? "ready" : "not_ready", membership = report.Membership, storage = report.Storage },
                    context.RequestAborted);
                return;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }
    }
}
