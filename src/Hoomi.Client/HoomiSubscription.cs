using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Hoomi.Client.Api;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Client;

/// <summary>What <see cref="HoomiClient.SubscribeAsync(Func{HoomiEvent, Task}, SubscribeOptions, CancellationToken)"/> catches up on.</summary>
public sealed class SubscribeOptions
{
    /// <summary>
    /// The hoomis to catch up on, each with the cursor of the last event already seen. A null cursor means "from now on":
    /// the subscription starts after the journal's newest entry (<c>/events/latest</c>) and nothing older is delivered.
    /// </summary>
    public IReadOnlyDictionary<Guid, string?> CatchUp { get; init; } = new Dictionary<Guid, string?>();

    /// <summary>Deliver events of the <see cref="CatchUp"/> hoomis only (by default live events of the caller's other hoomis come too).</summary>
    public bool OnlyCatchUpHoomis { get; init; }

    /// <summary>Called after each delivered event (and after the first read of the journal) with the hoomi's cursor to resume from.</summary>
    public Action<Guid, string>? OnCursor { get; init; }

    /// <summary>Connection changes: lost, back, caught up (with how many missed events were delivered).</summary>
    public Action<SubscriptionNotice>? OnNotice { get; init; }
}

public enum SubscriptionState
{
    Reconnecting,
    Reconnected,
    CaughtUp,
}

public sealed record SubscriptionNotice(SubscriptionState State, int MissedEvents = 0, Exception? Error = null);

/// <summary>A live subscription with catch-up; dispose it to stop.</summary>
public sealed class HoomiSubscription : IAsyncDisposable
{
    private const int PageSize = 500;
    private const int CatchUpAttempts = 5;

    private readonly HoomiClient _client;
    private readonly HubConnection _connection;
    private readonly Func<HoomiEvent, Task> _onEvent;
    private readonly SubscribeOptions _options;
    private readonly Dictionary<Guid, CursorTracker> _trackers;
    private readonly SemaphoreSlim _deliver = new(1, 1);
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();

    // Non-null while a catch-up is due or running: live events wait here so that they come after the missed ones.
    private List<HoomiEvent>? _held = [];
    private bool _disposed;

    internal HoomiSubscription(HoomiClient client, HubConnection connection, Func<HoomiEvent, Task> onEvent, SubscribeOptions options)
    {
        _client = client;
        _connection = connection;
        _onEvent = onEvent;
        _options = options;
        _trackers = options.CatchUp.ToDictionary(p => p.Key, p => new CursorTracker(p.Value));
        foreach (var name in HoomiEvent.Names)
        {
            connection.On<JsonObject>(name, data => OnLiveAsync(name, data));
        }

        connection.Reconnecting += error =>
        {
            lock (_lock)
            {
                _held ??= [];
            }

            _options.OnNotice?.Invoke(new SubscriptionNotice(SubscriptionState.Reconnecting, Error: error));
            return Task.CompletedTask;
        };
        connection.Reconnected += connectionId =>
        {
            _options.OnNotice?.Invoke(new SubscriptionNotice(SubscriptionState.Reconnected));
            // Not awaited: the hub's Joined() answer arrives on the connection that raised this event.
            _ = Task.Run(CatchUpAfterReconnectAsync);
            return Task.CompletedTask;
        };
        connection.Closed += error =>
        {
            if (error is null || _disposed)
            {
                _completion.TrySetResult();
            }
            else
            {
                _completion.TrySetException(new HoomiClientException("The live connection closed: " + error.Message, error));
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when the subscription is disposed, and faults when it cannot continue (the connection closed for good, or catching up failed).</summary>
    public Task Completion => _completion.Task;

    /// <summary>The cursor to resume each caught-up hoomi from (null: nothing seen yet).</summary>
    public IReadOnlyDictionary<Guid, string?> Cursors => _trackers.ToDictionary(p => p.Key, p => p.Value.Position);

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await _connection.StartAsync(cancellationToken).ConfigureAwait(false);
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task OnLiveAsync(string name, JsonObject data)
    {
        var e = new HoomiEvent(name, Guid.TryParse(data["hoomiId"]?.ToString(), out var hoomiId) ? hoomiId : Guid.Empty, data);
        if (_options.OnlyCatchUpHoomis && !_trackers.ContainsKey(e.HoomiId))
        {
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_held is not null)
            {
                _held.Add(e);
                return;
            }
        }

        await _deliver.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            await DeliverAsync(e, fromJournal: false).ConfigureAwait(false);
        }
        finally
        {
            _deliver.Release();
        }
    }

    private async Task CatchUpAfterReconnectAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CatchUpAsync(_stopping.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (_connection.State != HubConnectionState.Connected)
            {
                // Lost again: the next Reconnected starts another catch-up.
                _ = e;
                return;
            }
            catch (HoomiApiException e) when (!IsTransient(e.StatusCode) || attempt >= CatchUpAttempts)
            {
                Fail(e);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or HoomiApiException or TimeoutException && attempt < CatchUpAttempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }
        }
    }

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;

    private void Fail(Exception e)
    {
        _options.OnNotice?.Invoke(new SubscriptionNotice(SubscriptionState.CaughtUp, Error: e));
        _completion.TrySetException(e);
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        // Returns once the server has put this connection in its hoomi groups: every later event arrives live, every
        // earlier one is in the journal read next. Live events meanwhile are held and delivered after the journal.
        await _connection.InvokeAsync("Joined", cancellationToken).ConfigureAwait(false);
        await _deliver.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var missed = 0;
            foreach (var (hoomiId, tracker) in _trackers)
            {
                var fromNow = tracker.FromNow;
                if (fromNow)
                {
                    // "From now on": everything up to the journal's newest entry counts as seen; what comes after it
                    // (already held from the hub, or read below) is delivered.
                    tracker.Skip(await _client.GetLatestEventCursorAsync(hoomiId, cancellationToken).ConfigureAwait(false));
                }

                var after = tracker.Position;
                while (true)
                {
                    var page = await _client.ListEventsAsync(hoomiId, after, PageSize, cancellationToken).ConfigureAwait(false);
                    foreach (var e in page.Items)
                    {
                        if (await DeliverAsync(e, fromJournal: true).ConfigureAwait(false) && !fromNow)
                        {
                            missed++;
                        }
                    }

                    if (page.NextCursor is null)
                    {
                        break;
                    }

                    after = page.NextCursor;
                }

                tracker.FromNow = false;
                if (fromNow && tracker.Position is { } position)
                {
                    _options.OnCursor?.Invoke(hoomiId, position);
                }
            }

            List<HoomiEvent> held;
            lock (_lock)
            {
                held = _held ?? [];
                _held = null;
            }

            foreach (var e in held)
            {
                await DeliverAsync(e, fromJournal: false).ConfigureAwait(false);
            }

            _options.OnNotice?.Invoke(new SubscriptionNotice(SubscriptionState.CaughtUp, missed));
        }
        finally
        {
            _deliver.Release();
        }
    }

    /// <summary>Delivers an event unless its cursor was delivered before; callers hold <see cref="_deliver"/>.</summary>
    private async Task<bool> DeliverAsync(HoomiEvent e, bool fromJournal)
    {
        if (!_trackers.TryGetValue(e.HoomiId, out var tracker))
        {
            await _onEvent(e).ConfigureAwait(false);
            return true;
        }

        if (!tracker.TryAccept(e.Cursor, fromJournal))
        {
            return false;
        }

        await _onEvent(e).ConfigureAwait(false);
        if (tracker.Position is { } position)
        {
            _options.OnCursor?.Invoke(e.HoomiId, position);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _completion.TrySetResult();
        _stopping.Dispose();
    }

    /// <summary>
    /// Which events of one hoomi were delivered. This server's cursors are its journal's sequence numbers (1, 2, 3, ...
    /// without gaps), so the position is the highest number up to which every event was delivered, and numbers beyond it
    /// that were delivered out of order are remembered until the gap closes: a live event that overtook another, or
    /// one lost in flight, is then fetched again on the next catch-up rather than skipped. Cursors that are not numbers
    /// are treated as opaque: the position is the last one delivered, and a set of those seen catches repeats.
    /// </summary>
    private sealed class CursorTracker(string? cursor)
    {
        private readonly Lock _lock = new();
        private readonly SortedSet<long> _ahead = [];
        private readonly HashSet<string> _opaqueSeen = new(StringComparer.Ordinal);
        private long? _watermark = TryNumber(cursor, out var n) ? n : null;
        private string? _last = cursor;

        /// <summary>True until the journal has been read once when the subscription started without a cursor.</summary>
        public bool FromNow { get; set; } = cursor is null;

        public string? Position
        {
            get
            {
                lock (_lock)
                {
                    return _watermark is { } w ? w.ToString(CultureInfo.InvariantCulture) : _last;
                }
            }
        }

        /// <summary>Records an event passed over when starting "from now".</summary>
        public void Skip(string? cursor)
        {
            lock (_lock)
            {
                if (TryNumber(cursor, out var n))
                {
                    _watermark = Math.Max(_watermark ?? 0, n);
                    _ahead.RemoveWhere(a => a <= n);
                }
                else if (cursor is not null)
                {
                    _opaqueSeen.Add(cursor);
                    _last = cursor;
                }
            }
        }

        /// <summary>
        /// True (and recorded) when the event is new; an event without a cursor is always new. The journal is read in order
        /// and has no gaps after the cursor it was asked for (older entries may have been pruned), so an event read there
        /// moves the position up to it.
        /// </summary>
        public bool TryAccept(string? cursor, bool fromJournal)
        {
            lock (_lock)
            {
                if (cursor is null)
                {
                    return true;
                }

                if (TryNumber(cursor, out var n))
                {
                    var watermark = _watermark ?? 0;
                    if (n <= watermark)
                    {
                        return false;
                    }

                    if (fromJournal)
                    {
                        var seen = _ahead.Contains(n);
                        _ahead.RemoveWhere(a => a <= n);
                        _watermark = n;
                        return !seen;
                    }

                    if (!_ahead.Add(n))
                    {
                        return false;
                    }

                    while (_ahead.Count > 0 && _ahead.Min == watermark + 1)
                    {
                        watermark++;
                        _ahead.Remove(watermark);
                    }

                    _watermark = watermark;
                    return true;
                }

                if (!_opaqueSeen.Add(cursor))
                {
                    return false;
                }

                _last = cursor;
                return true;
            }
        }

        private static bool TryNumber(string? cursor, out long n) =>
            long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }
}
