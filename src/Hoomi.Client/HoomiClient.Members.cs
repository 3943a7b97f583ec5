using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Storage;
using Hoomi.Client.Transfer;
using Hoomi.Client.Trust;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Client;

// Members and invitations.
public sealed partial class HoomiClient
{
    public async Task<IReadOnlyList<HoomiMember>> ListMembersAsync(Guid hoomiId, CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<ListResult<HoomiMember>>($"hoomis/{hoomiId}/members", cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// Invites an account to a hoomi (owners only); it becomes a member when it accepts (<see cref="AcceptInvitationAsync"/>).
    /// The server answers the same for a name that has no account, so this cannot tell whether anyone was invited.
    /// </summary>
    public async Task AddMemberAsync(Guid hoomiId, string userName, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, $"hoomis/{hoomiId}/members") { Content = JsonContent.Create(new { userName }, options: Json) },
            true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The caller's pending invitations.</summary>
    public async Task<IReadOnlyList<InvitationInfo>> ListInvitationsAsync(CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<ListResult<InvitationInfo>>("me/invitations", cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Accepts an invitation: from now on the caller is a member of the hoomi.</summary>
    public async Task AcceptInvitationAsync(Guid hoomiId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"me/invitations/{hoomiId}/accept"), true, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeclineInvitationAsync(Guid hoomiId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"me/invitations/{hoomiId}/decline"), true, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveMemberAsync(Guid hoomiId, Guid userId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"hoomis/{hoomiId}/members/{userId}"), true, cancellationToken).ConfigureAwait(false);
    }
}
