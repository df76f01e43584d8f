using Surveillance.Api.Hosting;
using Surveillance.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDevelopmentSecrets(notForThisHost: DevelopmentSecrets.SiloOnly);
builder.AddSurveillanceApi();

var app = builder.Build();
app.UseSurveillanceApi();
app.Run();

/// <summary>Entry point; public so that tests can host the API in-process.</summary>
public partial class Program;
