using Microsoft.AspNetCore.SignalR;

namespace Hoomi.Api.Realtime;

/// <summary>
/// The hub connections open on this instance, by user, so that a membership change can move all of a
/// user's live connections in or out of a hoomi group. Each instance knows only its own connections;
/// <see cref="MembershipFanout"/> gets a change to every instance.
/// </summary>
public sealed class ConnectionRegistry
{
    // Striped rather than one lock per user: bounded memory, and contention between two users that share
    // a stripe only delays a connect or a membership change by one database read.
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Dictionary<Guid, Dictionary<string, HubCallerContext>> _byUser = [];
    private readonly Lock _gate = new();

    public async Task WithUserLockAsync(Guid userId, Func<Task> action)
    {
        var stripe = _stripes[(userId.GetHashCode() & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            await action().ConfigureAwait(false);
        }
        finally
        {
            stripe.Release();
        }
    }

    public void Add(Guid userId, HubCallerContext connection)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var set))
            {
                _byUser[userId] = set = [];
            }

            set[connection.ConnectionId] = connection;
        }
    }

    public void Remove(Guid userId, string connectionId)
    {
        lock (_gate)
        {
            if (_byUser.TryGetValue(userId, out var set) && set.Remove(connectionId) && set.Count == 0)
            {
                _byUser.Remove(userId);
            }
        }
    }

    public IReadOnlyList<string> ConnectionsOf(Guid userId)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(userId, out var set) ? [.. set.Keys] : [];
        }
    }

    /// <summary>
    /// Closes one connection of this instance (the fail-closed answer when its groups could not be changed): the client
    /// sees it end, reconnects, joins the groups of the memberships it has then, and catches up from its cursors.
    /// </summary>
    public void Abort(Guid userId, string connectionId)
    {
        HubCallerContext? connection = null;
        lock (_gate)
        {
            if (_byUser.TryGetValue(userId, out var set))
            {
                set.TryGetValue(connectionId, out connection);
            }
        }

        connection?.Abort();
    }

    /// <summary>Closes every connection of the user on this instance.</summary>
    public void AbortAll(Guid userId)
    {
        foreach (var connectionId in ConnectionsOf(userId))
        {
            Abort(userId, connectionId);
        }
    }

    /// <summary>Closes every connection on this instance (after it may have missed membership changes).</summary>
    public int AbortEverything()
    {
        List<HubCallerContext> all;
        lock (_gate)
        {
            all = [.. _byUser.Values.SelectMany(s => s.Values)];
        }

        foreach (var connection in all)
        {
            connection.Abort();
        }

        return all.Count;
    }
}
