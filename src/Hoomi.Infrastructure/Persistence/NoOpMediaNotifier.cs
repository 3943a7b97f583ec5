using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Events;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>
/// Used where no realtime channel is wired (tools, tests of the application layer alone). The journal rows are
/// still written (by the outbox, with each change); only live delivery is skipped.
/// </summary>
internal sealed class NoOpMediaNotifier : IMediaNotifier
{
    public Task PublishAsync(HoomiEvent committed, CancellationToken cancellationToken) => Task.CompletedTask;
}
