using System.Globalization;
using Hoomi.Client.Api;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Client;

// Catch-up: the event journal and subscriptions that resume from a cursor.
public sealed partial class HoomiClient
{
    /// <summary>
    /// One page of a hoomi's events after <paramref name="after"/> (null: from the oldest kept), oldest first. Pass
    /// <see cref="HoomiEventPage.NextCursor"/> back as <paramref name="after"/> while it is set.
    /// </summary>
    public async Task<HoomiEventPage> ListEventsAsync(Guid hoomiId, string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (after is not null)
        {
            query.Add("after=" + Uri.EscapeDataString(after));
        }

        if (limit is not null)
        {
            query.Add("limit=" + limit.Value.ToString(CultureInfo.InvariantCulture));
        }

        var page = await GetJsonAsync<EventPage>($"hoomis/{hoomiId}/events" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), cancellationToken).ConfigureAwait(false);
        return new HoomiEventPage([.. page.Items.Select(HoomiEvent.FromJournal)], page.NextCursor);
    }

    /// <summary>The cursor of the hoomi's newest event ("0" when it has none): pass it as <c>after</c> to get only what comes next.</summary>
    public async Task<string> GetLatestEventCursorAsync(Guid hoomiId, CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<LatestEventCursor>($"hoomis/{hoomiId}/events/latest", cancellationToken).ConfigureAwait(false)).Cursor;

    /// <summary>
    /// Connects to the hub and, for every hoomi in <see cref="SubscribeOptions.CatchUp"/>, delivers what was missed since
    /// its cursor before any live event, and again after every reconnect: connect, call the hub's <c>Joined()</c> (the
    /// connection is then in its groups), page <c>/hoomis/{id}/events</c> from the last cursor, then deliver live events
    /// (those that arrived meanwhile included), dropping any cursor already delivered. Events are delivered one at a time.
    /// The subscription reconnects until disposed; <see cref="HoomiSubscription.Completion"/> ends when it cannot go on.
    /// Without <paramref name="options"/>, live events of every hoomi of the caller from now on.
    /// </summary>
    public async Task<HoomiSubscription> SubscribeAsync(Func<HoomiEvent, Task> onEvent, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        options ??= new SubscribeOptions();
        if (_session is null)
        {
            throw NotSignedIn();
        }

        var subscription = new HoomiSubscription(this, BuildHubConnection(new KeepReconnecting()), onEvent, options);
        try
        {
            await subscription.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return subscription;
    }

    /// <summary>Retries for as long as the subscription lives: at once, then after 1, 2, 3 and then every 5 seconds.</summary>
    private sealed class KeepReconnecting : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => retryContext.PreviousRetryCount switch
        {
            0 => TimeSpan.Zero,
            < 4 => TimeSpan.FromSeconds(retryContext.PreviousRetryCount),
            _ => TimeSpan.FromSeconds(5),
        };
    }
}
