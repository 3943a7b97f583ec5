using Hoomi.Application.Common.Interfaces;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>Used where no realtime channel is wired (tools, tests of the application layer alone).</summary>
internal sealed class NoOpMediaNotifier : IMediaNotifier
{
    public Task MediaUploadedAsync(MediaUploadedEvent e, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task MediaDeletedAsync(MediaDeletedEvent e, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task MemberAddedAsync(MemberAddedEvent e, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task MemberRemovedAsync(MemberRemovedEvent e, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task KeysSharedAsync(KeysSharedEvent e, CancellationToken cancellationToken) => Task.CompletedTask;
}
