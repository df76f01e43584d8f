using Surveillance.Api.Errors;
using Surveillance.Api.Http;

namespace Surveillance.Api.Edge;

/// <summary>
/// The first check of every request but <c>/health*</c> (API.md "Order"): who the client is, and
/// whether it is blocked. It runs before CORS, authentication and body reading, and answers from this
/// instance's <see cref="BlockList"/>, so refusing a blocked client costs a dictionary lookup: no grain
/// call, no token validation, no session check, no audit row of its own (<see cref="EdgeRefusals"/>).
/// A blocked client's CORS preflight is refused too.
/// </summary>
public sealed class BlockGuardMiddleware(RequestDelegate next, ClientIpResolver resolver, BlockList blocks, EdgeRefusals refusals, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var address = resolver.Resolve(context);
        ClientAddress.Set(context, address);
        var key = resolver.KeyOf(address);
        ClientAddress.SetKey(context, key);
        if (!RateRules.IsExempt(context) && await blocks.FindAsync(key) is { } block)
        {
            refusals.Count(context, key, StatusCodes.Status403Forbidden, ErrorCodes.IpBlocked);
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.IpBlocked,
                ProblemMessages.IpBlocked(block.ExpiresAt), block.ExpiresAt - clock.GetUtcNow());
            return;
        }

        await next(context);
    }
}
