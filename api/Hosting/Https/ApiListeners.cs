namespace Surveillance.Api.Hosting.Https;

/// <summary>
/// The addresses the API will listen on, read from configuration the way Kestrel reads them:
/// <c>Kestrel:Endpoints:*:Url</c> when there are any, else <c>urls</c> (<c>ASPNETCORE_URLS</c>,
/// <c>--urls</c>), else <c>http_ports</c>/<c>https_ports</c>, else Kestrel's default. Read at
/// start-up so that the HTTPS settings can be checked against them before anything binds.
/// </summary>
public sealed record ApiListeners(IReadOnlyList<BindingAddress> Https, IReadOnlyList<BindingAddress> Plain)
{
    private const string KestrelDefault = "http://localhost:5000";

    public static ApiListeners From(IConfiguration configuration)
    {
        var addresses = Urls(configuration).Select(BindingAddress.Parse).ToList();
        return new ApiListeners(
            [.. addresses.Where(IsHttps)],
            [.. addresses.Where(a => !IsHttps(a))]);
    }

    private static bool IsHttps(BindingAddress address) => string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase);

    private static List<string> Urls(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => e["Url"])
            .OfType<string>()
            .Where(u => !string.IsNullOrWhiteSpace(u))
            .ToList();
        if (endpoints.Count > 0)
        {
            return endpoints;
        }

        var urls = Split(configuration["urls"]);
        if (urls.Count > 0)
        {
            return urls;
        }

        var ports = Split(configuration["http_ports"]).Select(p => $"http://*:{p}")
            .Concat(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"))
            .ToList();
        return ports.Count > 0 ? ports : [KestrelDefault];
    }

    private static List<string> Split(string? list) =>
        [.. (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
