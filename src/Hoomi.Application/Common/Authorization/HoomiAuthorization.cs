using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Hoomis;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Application.Common.Authorization;

/// <summary>
/// A use case that names a hoomi: only its members may run it. <see cref="HoomiAuthorizationBehaviour{TMessage,TResponse}"/>
/// checks the caller's membership before validation and before the handler, and a non-member gets 404 (the hoomi's
/// existence is not revealed). Handlers do not check membership themselves; they read it from <see cref="HoomiAccessContext"/>.
/// </summary>
public interface IHoomiRequest
{
    /// <summary>The hoomi the caller must be a member of.</summary>
    Guid HoomiId { get; }
}

/// <summary>
/// The caller's memberships checked in this scope (one HTTP request, one hub invocation): the pipeline behaviour fills
/// it, the handlers read it. A request that runs two messages for the same hoomi (the upload endpoint's membership
/// check before the body, then the upload itself) queries once. Scoped, so nothing outlives the request: the next
/// request checks again, and a member removed meanwhile is refused there.
/// </summary>
public sealed class HoomiAccessContext(IServiceProvider services)
{
    private Membership? _checked;

    /// <summary>The caller's membership of <paramref name="hoomiId"/> as the behaviour checked it.</summary>
    /// <exception cref="InvalidOperationException">When the message did not go through the behaviour (a wiring bug, never a 404).</exception>
    public Membership Of(Guid hoomiId) =>
        _checked is { } m && m.HoomiId == hoomiId
            ? m
            : throw new InvalidOperationException($"Membership of hoomi {hoomiId} was not checked: send the message through the mediator (HoomiAuthorizationBehaviour).");

    /// <summary>Checks the caller's membership once per scope and hoomi; 404 when there is none.</summary>
    public async ValueTask<Membership> RequireAsync(Guid hoomiId, CancellationToken cancellationToken)
    {
        var userId = services.GetRequiredService<ICurrentUser>().Id;
        if (_checked is { } m && m.HoomiId == hoomiId && m.UserId == userId)
        {
            return m;
        }

        var db = services.GetRequiredService<IHoomiDbContext>();
        var membership = await db.RequireMembershipAsync(hoomiId, userId, cancellationToken).ConfigureAwait(false);
        _checked = membership;
        return membership;
    }

    /// <summary>Records a membership checked elsewhere (benchmarks and tests that call a handler directly).</summary>
    public void Grant(Membership membership) => _checked = membership;
}

/// <summary>
/// Authorization, in one place: for every <see cref="IHoomiRequest"/>, the caller must be a member of the hoomi it names,
/// else <see cref="NotFoundException"/> (404). Runs before <c>ValidationBehaviour</c>, so a non-member learns nothing
/// from validation errors either, and before the handler, which therefore reads no body part of a refused upload.
/// </summary>
public sealed class HoomiAuthorizationBehaviour<TMessage, TResponse>(HoomiAccessContext access) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        message is IHoomiRequest request ? AuthorizedAsync(request.HoomiId, message, next, cancellationToken) : next(message, cancellationToken);

    private async ValueTask<TResponse> AuthorizedAsync(Guid hoomiId, TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        await access.RequireAsync(hoomiId, cancellationToken).ConfigureAwait(false);
        return await next(message, cancellationToken).ConfigureAwait(false);
    }
}
