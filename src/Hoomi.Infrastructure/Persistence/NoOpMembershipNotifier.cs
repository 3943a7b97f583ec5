using Hoomi.Application.Common.Interfaces;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>Used where no realtime channel is wired (tools, tests of the application layer alone).</summary>
internal sealed class NoOpMembershipNotifier : IMembershipNotifier
{
    public Task MemberAddedAsync(Guid hoomiId, Guid userId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task MemberRemovedAsync(Guid hoomiId, Guid userId, CancellationToken cancellationToken) => Task.CompletedTask;
}
