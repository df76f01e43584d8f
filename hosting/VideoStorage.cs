using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Surveillance.Storage;

namespace Surveillance.Hosting;

/// <summary><c>Storage:VideoPath</c>, by default <c>&lt;Storage:DataPath&gt;/videos</c>; both hosts need it.</summary>
public static class VideoStorage
{
    public const string Key = "Storage:VideoPath";

    public static IServiceCollection AddVideoFiles(this IServiceCollection services, IConfiguration configuration)
    {
        var path = configuration[Key] is { Length: > 0 } configured
            ? configured
            : Path.Combine(DataDirectory.Resolve(configuration), "videos");
        Directory.CreateDirectory(path);
        return services.AddSingleton(new VideoFiles(path));
    }
}
