using System.Reflection;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime.Messaging;
using Polly;
using Polly.Retry;

namespace Surveillance.Api.Hosting;

/// <summary>
/// Retries, a bounded number of times, grain calls declared <c>[ReadOnly]</c> when the message
/// never reached a silo (a silo leaving, no gateway for a moment). Calls that change state are
/// never retried: the first attempt may have been applied.
/// </summary>
public sealed class IdempotentCallRetryFilter : IOutgoingGrainCallFilter
{
    private readonly ResiliencePipeline _pipeline;

    public IdempotentCallRetryFilter(IOptions<ClusterConnectionOptions> options) =>
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.Value.IdempotentRetries),
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder()
                    .Handle<SiloUnavailableException>()
                    .Handle<ConnectionFailedException>()
                    .Handle<OrleansMessageRejectionException>(),
            })
            .Build();

    public Task Invoke(IOutgoingGrainCallContext context) =>
        context.InterfaceMethod?.GetCustomAttribute<ReadOnlyAttribute>() is null
            ? context.Invoke()
            : _pipeline.ExecuteAsync(async _ => await context.Invoke()).AsTask();
}
