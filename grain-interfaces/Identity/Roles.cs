namespace Surveillance.Identity;

/// <summary>The roles of API.md. A user may hold several; a user created without roles is a viewer.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Viewer = "viewer";
    public const string Processor = "processor";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Admin, Operator, Viewer, Processor,
    };
}
