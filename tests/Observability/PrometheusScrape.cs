using System.Globalization;
using System.Text.RegularExpressions;

namespace Surveillance.Tests.Observability;

/// <summary>One scrape in the Prometheus text format, read the way Prometheus reads it: series by name and labels.</summary>
public sealed partial class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples;

    private PrometheusScrape(string text)
    {
        Text = text;
        _samples = text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => Sample().Match(line))
            .Where(match => match.Success)
            .Select(match => (
                match.Groups["name"].Value,
                Label().Matches(match.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value),
                double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(Uri endpoint)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(endpoint);
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    /// <summary>The sum over every series of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    public IEnumerable<string> LabelValues(string name, string key) =>
        _samples.Where(s => s.Name == name && s.Labels.ContainsKey(key)).Select(s => s.Labels[key]).Distinct();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
