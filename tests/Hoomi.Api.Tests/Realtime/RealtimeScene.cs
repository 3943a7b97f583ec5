using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>A signed-in user with one device key and a hoomi of their own that nobody else is in.</summary>
public sealed record RealtimeUser(ApiClient Api, TestDeviceKey Key, Guid OwnHoomi)
{
    public Guid Id => Api.UserId;

    public static async Task<RealtimeUser> CreateAsync(Func<string, Task<ApiClient>> register, string name)
    {
        var api = await register(name);
        var key = await api.RegisterDeviceKeyAsync();
        var own = await api.CreateHoomiAsync(name + "'s own");
        return new RealtimeUser(api, key, own);
    }

    /// <summary>Uploads to <paramref name="hoomiId"/> for the given recipients; returns the media id and when the request started.</summary>
    public async Task<(Guid MediaId, long StartedAt)> UploadAsync(Guid hoomiId, params RealtimeUser[] recipients)
    {
        var upload = MediaUpload.For([.. recipients.Select(r => r.Key)]);
        var started = Stopwatch.GetTimestamp();
        var response = await Api.Http.PostAsync($"/hoomis/{hoomiId}/media", upload.ToContent());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (upload.MediaId, started);
    }

    /// <summary>
    /// Proves that nothing else is still on its way to <paramref name="inboxes"/>: an event in the user's own
    /// hoomi, raised after everything before it was sent, arrives behind anything sent earlier to the same
    /// connection. Returns once every inbox has it.
    /// </summary>
    public async Task FlushAsync(params EventInbox[] inboxes)
    {
        var (mediaId, _) = await UploadAsync(OwnHoomi, this);
        foreach (var inbox in inboxes)
        {
            await inbox.WaitForAsync("MediaUploaded", OwnHoomi, p => p.GetProperty("mediaId").GetGuid() == mediaId);
        }
    }

    public async Task<JsonObject> EventsAsync(Guid hoomiId, string? after = null, int? limit = null)
    {
        var query = new List<string>();
        if (after is not null)
        {
            query.Add("after=" + Uri.EscapeDataString(after));
        }

        if (limit is not null)
        {
            query.Add("limit=" + limit);
        }

        var response = await Api.Http.GetAsync($"/hoomis/{hoomiId}/events" + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}

public static class Latency
{
    public static double MillisecondsSince(long start, long end) => (end - start) * 1000.0 / Stopwatch.Frequency;
}
