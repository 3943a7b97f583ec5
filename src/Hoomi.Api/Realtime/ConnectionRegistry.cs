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
    private readonly Dictionary<Guid, HashSet<string>> _byUser = [];
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

    public void Add(Guid userId, string connectionId)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var set))
            {
                _byUser[userId] = set = [];
            }

            set.Add(connectionId);
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
            return _byUser.TryGetValue(userId, out var set) ? [.. set] : [];
        }
    }
}
