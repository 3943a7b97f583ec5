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

// Hoomis: create, list, get.
public sealed partial class HoomiClient
{
    public Task<HoomiInfo> CreateHoomiAsync(string name, CancellationToken cancellationToken = default) =>
        SendJsonAsync<HoomiInfo>(() => new HttpRequestMessage(HttpMethod.Post, "hoomis") { Content = JsonContent.Create(new { name }, options: Json) }, true, cancellationToken);

    public async Task<IReadOnlyList<HoomiInfo>> ListHoomisAsync(CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<ListResult<HoomiInfo>>("hoomis", cancellationToken).ConfigureAwait(false)).Items;

    public Task<HoomiInfo> GetHoomiAsync(Guid hoomiId, CancellationToken cancellationToken = default) =>
        GetJsonAsync<HoomiInfo>($"hoomis/{hoomiId}", cancellationToken);
}
