using Microsoft.Extensions.Configuration;

namespace Surveillance.Hosting;

/// <summary>
/// Where a node keeps local files (development secrets, videos): <c>Storage:DataPath</c>,
/// by default <c>./.data</c> under the working directory.
/// </summary>
public static class DataDirectory
{
    public const string Key = "Storage:DataPath";

    public static string Resolve(IConfiguration configuration) =>
        Path.GetFullPath(configuration[Key] is { Length: > 0 } path ? path : ".data");
}
