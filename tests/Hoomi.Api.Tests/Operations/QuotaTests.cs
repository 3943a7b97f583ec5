using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;

namespace Hoomi.Api.Tests.Operations;

public sealed class QuotaTests
{
    [Test]
    public async Task Concurrent_uploads_that_together_exceed_the_quota_never_overrun_it()
    {
        var fileSize = MediaUpload.FakeCiphertext(100_000).LongLength;
        var quota = (fileSize * 5) + (fileSize / 2);
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
        {
            ["Hoomi:Quotas:DefaultHoomiBytes"] = quota.ToString(CultureInfo.InvariantCulture),
        });
        var scene = await MediaScene.CreateAsync(factory);

        var uploads = Enumerable.Range(0, 16).Select(_ =>
        {
            var u = scene.NewUpload();
            u.Ciphertext = MediaUpload.FakeCiphertext(100_000);
            return u;
        }).ToList();
        var responses = await Task.WhenAll(uploads.Select(u => scene.Alice.Http.PostAsync($"/hoomis/{scene.HoomiId}/media", u.ToContent())));

        var accepted = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.InsufficientStorage).ToList();
        TestContext.Out.WriteLine($"quota race: {accepted} accepted, {refused.Count} refused with 507, quota {quota} B, file {fileSize} B");
        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.EqualTo(5), "exactly as many as fit");
            Assert.That(accepted + refused.Count, Is.EqualTo(uploads.Count), "every other upload is refused with 507");
        });
        var problem = await ApiClient.ProblemOf(refused[0]);
        Assert.Multiple(() =>
        {
            Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:quota-exceeded"));
            Assert.That(problem["quotaBytes"]!.GetValue<long>(), Is.EqualTo(quota));
            Assert.That(problem["requestedBytes"]!.GetValue<long>(), Is.EqualTo(fileSize));
            Assert.That(problem["usedBytes"]!.GetValue<long>(), Is.GreaterThan(0));
        });

        var hoomi = (await scene.Alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{scene.HoomiId}"))!;
        Assert.Multiple(() =>
        {
            Assert.That(hoomi["usedBytes"]!.GetValue<long>(), Is.EqualTo(accepted * fileSize), "usage is the sum of accepted sizes");
            Assert.That(hoomi["quotaBytes"]!.GetValue<long>(), Is.EqualTo(quota));
            Assert.That(Directory.GetFiles(factory.BlobRoot, "*", SearchOption.AllDirectories), Has.Length.EqualTo(accepted));
        });
    }

    [Test]
    public async Task A_refused_upload_releases_its_reservation()
    {
        var fileSize = MediaUpload.FakeCiphertext(1000).LongLength;
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
        {
            ["Hoomi:Quotas:DefaultHoomiBytes"] = fileSize.ToString(CultureInfo.InvariantCulture),
        });
        var scene = await MediaScene.CreateAsync(factory);
        var liar = scene.NewUpload();
        liar.EditMetadata = m => m["sha256"] = new string('0', 64);
        Assert.That((await scene.Alice.Http.PostAsync($"/hoomis/{scene.HoomiId}/media", liar.ToContent())).StatusCode, Is.EqualTo((HttpStatusCode)422));

        // Had the failed upload kept its reservation, this one would not fit.
        await scene.UploadAsync(scene.Alice, scene.NewUpload());
    }
}
