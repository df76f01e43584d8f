namespace Surveillance.Tests.Footage;

/// <summary>A shell script standing in for ffprobe or ffmpeg, in its own temporary directory.</summary>
public sealed class FakeMediaTool : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("surveillance-fake-tool-");

    public FakeMediaTool(string body)
    {
        Path = System.IO.Path.Combine(_directory.FullName, "tool");
        File.WriteAllText(Path, "#!/bin/sh\n" + body.Replace("$DIR", _directory.FullName, StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Path { get; }

    /// <summary>A file the script wrote under <c>$DIR</c>.</summary>
    public string? Read(string name) =>
        File.Exists(System.IO.Path.Combine(_directory.FullName, name)) ? File.ReadAllText(System.IO.Path.Combine(_directory.FullName, name)) : null;

    public void Dispose() => _directory.Delete(recursive: true);
}
