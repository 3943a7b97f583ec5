namespace Hoomi.Application.Common.Interfaces;

/// <summary>
/// Tells the outside world (live connections) that membership changed; called after the commit, never before.
/// The default implementation does nothing; the realtime hub replaces it.
/// </summary>
public interface IMembershipNotifier
{
    Task MemberAddedAsync(Guid hoomiId, Guid userId, CancellationToken cancellationToken);

    Task MemberRemovedAsync(Guid hoomiId, Guid userId, CancellationToken cancellationToken);
}
