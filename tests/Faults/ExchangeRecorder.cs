using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Surveillance.Tests.Faults;

/// <summary>What the server answered to one request, as it left the pipeline.</summary>
public sealed record RecordedExchange(int Status, string? ContentType, bool ExceptionEscaped);

/// <summary>
/// Records the answer the API gave to each request that carries an <c>X-Request-Id</c>, outermost
/// in the pipeline: it sees the status even when the client left before reading it (a body cut
/// short by a closed connection), and an exception that no handler caught counts as the 500 the
/// server then sends.
/// </summary>
public sealed class ExchangeRecorder : IStartupFilter
{
    private readonly ConcurrentDictionary<string, RecordedExchange> _exchanges = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RecordedExchange>> _waiters = new();

    public async Task<RecordedExchange> WaitForAsync(string requestId, TimeSpan timeout)
    {
        var waiter = _waiters.GetOrAdd(requestId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_exchanges.TryGetValue(requestId, out var done))
        {
            return done;
        }

        return await waiter.Task.WaitAsync(timeout);
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext context, RequestDelegate nextMiddleware) =>
        {
            var id = context.Request.Headers["X-Request-Id"].ToString();
            var escaped = false;
            try
            {
                await nextMiddleware(context);
            }
            catch
            {
                escaped = true;
                throw;
            }
            finally
            {
                if (id.Length > 0)
                {
                    var exchange = new RecordedExchange(escaped ? 500 : context.Response.StatusCode, context.Response.ContentType, escaped);
                    _exchanges[id] = exchange;
                    _waiters.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(exchange);
                }
            }
        });
        next(app);
    };
}
