using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace Hoomi.Api.Realtime;

/// <summary>
/// The fan-out across instances sharing a Redis backplane. Every instance keeps its own registry of its own
/// connections and subscribes to one membership channel; a change is published there, each instance applies
/// it to its local connections and acknowledges, and the publisher waits for as many acknowledgements as
/// Redis reported receivers. Why not a shared registry of connection ids in Redis plus SignalR's remote
/// group commands: an instance that dies leaves its ids behind, and a remote group command for an unknown
/// connection waits 30 s for an acknowledgement that never comes. Here a dead instance is simply not a
/// receiver, and its clients' connections died with it.
/// </summary>
/// <remarks>
/// Fails closed. A change that cannot be published, or that not every receiver acknowledges in time, throws: the
/// event stays undispatched, the hoomi's later events wait behind it, and the dispatcher publishes it again until
/// every instance has applied it. An instance that cannot apply a change closes that user's connections (then
/// acknowledges: the connections are gone, so the change holds). An instance whose own Redis subscription dropped
/// may have missed changes meanwhile, so when it comes back it closes all its hub connections; the clients
/// reconnect into the groups of their current memberships and catch up from their cursors.
/// </remarks>
public sealed partial class RedisMembershipFanout(
    string configuration, LocalMembership local, ConnectionRegistry registry, ILogger<RedisMembershipFanout> logger)
    : IMembershipFanout, IHostedService, IAsyncDisposable
{
    private const string ChangesChannel = "hoomi:realtime:membership";
    private const string AckChannelPrefix = "hoomi:realtime:membership-ack:";
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);

    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<long, AckWaiter> _pending = new();
    private long _nextId;
    private ConnectionMultiplexer? _redis;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        _redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        _redis.ConnectionRestored += OnConnectionRestored;
        var subscriber = _redis.GetSubscriber();

        // A queue, not a callback: changes are applied one at a time, in the order they were published.
        var changes = await subscriber.SubscribeAsync(RedisChannel.Literal(ChangesChannel)).ConfigureAwait(false);
        changes.OnMessage(OnChangeAsync);
        var acks = await subscriber.SubscribeAsync(RedisChannel.Literal(AckChannelPrefix + _instanceId)).ConfigureAwait(false);
        acks.OnMessage(m =>
        {
            if (long.TryParse(m.Message.ToString(), CultureInfo.InvariantCulture, out var id) && _pending.TryGetValue(id, out var waiter))
            {
                waiter.Acknowledge();
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task ApplyEverywhereAsync(MembershipChange change, CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            throw new InvalidOperationException("The Redis membership fan-out has not started.");
        }

        var id = Interlocked.Increment(ref _nextId);
        var waiter = new AckWaiter();
        _pending[id] = waiter;
        try
        {
            var message = string.Join('|', id.ToString(CultureInfo.InvariantCulture), _instanceId,
                change.Action switch { MembershipAction.Add => "A", MembershipAction.Remove => "R", _ => "K" }, change.HoomiId.ToString("N"), change.UserId.ToString("N"));
            long receivers;
            try
            {
                receivers = await _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(ChangesChannel), message).ConfigureAwait(false);
            }
            catch (RedisException ex)
            {
                // Redis is down: at least this instance is right; the others cannot be told now, so the event waits
                // (and the hoomi's later events behind it) until the dispatcher can publish the change again.
                LogPublishFailed(logger, ex, change.HoomiId);
                await local.ApplyAsync(change).ConfigureAwait(false);
                throw;
            }

            waiter.Expect(receivers);
            try
            {
                await waiter.Task.WaitAsync(AckTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                LogAckTimeout(logger, change.HoomiId, waiter.Received, receivers);
                throw new InvalidOperationException(
                    $"A membership change was acknowledged by {waiter.Received} of {receivers} instances in time.", ex);
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task OnChangeAsync(ChannelMessage m)
    {
        var parts = m.Message.ToString().Split('|');
        if (parts.Length != 5 || !Guid.TryParse(parts[3], out var hoomiId) || !Guid.TryParse(parts[4], out var userId))
        {
            return;
        }

        var change = new MembershipChange(parts[2] switch { "A" => MembershipAction.Add, "K" => MembershipAction.CloseAll, _ => MembershipAction.Remove }, hoomiId, userId);
        try
        {
            await local.ApplyAsync(change).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Fail closed: the user's connections here are closed, so the change holds for them.
            LogApplyFailed(logger, ex, hoomiId);
            registry.AbortAll(userId);
        }

        await _redis!.GetSubscriber().PublishAsync(RedisChannel.Literal(AckChannelPrefix + parts[1]), parts[0]).ConfigureAwait(false);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            LogResubscribed(logger, registry.AbortEverything());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            _redis.ConnectionRestored -= OnConnectionRestored;
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(LogLevel.Error, "Could not publish a membership change of hoomi {HoomiId} to the other instances")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid hoomiId);

    [LoggerMessage(LogLevel.Error, "A membership change of hoomi {HoomiId} was acknowledged by {Received} of {Expected} instances in time; its event waits and is sent again")]
    private static partial void LogAckTimeout(ILogger logger, Guid hoomiId, int received, long expected);

    [LoggerMessage(LogLevel.Warning, "The membership channel's Redis subscription came back; closed this instance's {Count} hub connection(s), which may have missed changes meanwhile")]
    private static partial void LogResubscribed(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "Could not apply a membership change of hoomi {HoomiId} to this instance's connections; the user's connections here are closed")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception, Guid hoomiId);

    /// <summary>Acknowledgements may arrive before the publisher learns how many to expect.</summary>
    private sealed class AckWaiter
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private long _expected = long.MaxValue;

        public int Received { get; private set; }

        public Task Task => _done.Task;

        public void Acknowledge()
        {
            lock (_gate)
            {
                Received++;
                Check();
            }
        }

        public void Expect(long receivers)
        {
            lock (_gate)
            {
                _expected = receivers;
                Check();
            }
        }

        private void Check()
        {
            if (Received >= _expected)
            {
                _done.TrySetResult();
            }
        }
    }
}
