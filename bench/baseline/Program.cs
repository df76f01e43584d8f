using System.Security.Claims;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

// The baseline of bench/edge-throughput.sh: what JwtBearer plus the built-in in-process rate
// limiter cost on this machine, with nothing else in the way. GET /token hands out a token
// signed with a key generated at start-up; GET /auth/me validates it and echoes its claims.
const string Issuer = "baseline";
const string Audience = "baseline-api";
const string PerIp = "per-ip";

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8099");
}

// Like the API: no per-request log lines.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var signingKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
{
    options.MapInboundClaims = false;
    options.TokenValidationParameters = new TokenValidationParameters
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = signingKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(5),
        NameClaimType = "sub",
        RoleClaimType = "roles",
    };
});
builder.Services.AddAuthorization();
builder.Services.AddRateLimiter(options =>
{
    options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    // One sliding window per client IP; the limit is out of reach, so only its cost is measured.
    options.AddPolicy(PerIp, http => RateLimitPartition.GetSlidingWindowLimiter(
        http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = 1_000_000_000,
            Window = TimeSpan.FromSeconds(60),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));
});

var app = builder.Build();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/token", () =>
{
    var now = DateTime.UtcNow;
    var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        IssuedAt = now,
        NotBefore = now,
        Expires = now.AddHours(1),
        SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256),
        Claims = new Dictionary<string, object>
        {
            ["sub"] = "admin",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["roles"] = new[] { "admin" },
            ["email"] = "admin@localhost",
        },
    });
    return TypedResults.Ok(new { access_token = token, token_type = "bearer" });
});

app.MapGet("/auth/me", (ClaimsPrincipal user) => TypedResults.Ok(
        user.Claims
            .GroupBy(claim => claim.Type)
            .ToDictionary(group => group.Key, group => group.Select(claim => claim.Value).ToArray())))
    .RequireAuthorization()
    .RequireRateLimiting(PerIp);

app.Run();
