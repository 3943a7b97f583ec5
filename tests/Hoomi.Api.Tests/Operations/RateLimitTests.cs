using System.Globalization;
using System.Net;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;

namespace Hoomi.Api.Tests.Operations;

public sealed class RateLimitTests
{
    [Test]
    public async Task Requests_beyond_the_per_user_limit_get_429_with_retry_after_and_other_users_are_unaffected()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?> { ["Hoomi:RateLimits:RequestsPerMinute"] = "60" });
        var alice = await ApiClient.RegisterAsync(factory.CreateClient(), "alice");
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 100 && limited is null; i++)
        {
            var r = await alice.Http.GetAsync("/hoomis");
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = r;
            }
        }

        Assert.That(limited, Is.Not.Null, "60 a minute cannot allow 100 at once");
        Assert.That(int.Parse(limited!.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(1));
        Assert.That((await ApiClient.ProblemOf(limited))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:rate-limited"));

        var bob = await ApiClient.RegisterAsync(factory.CreateClient(), "bob");
        Assert.That((await bob.Http.GetAsync("/hoomis")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await factory.CreateClient().GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "health is never limited");
    }

    [Test]
    public async Task Uploads_beyond_the_per_user_byte_budget_get_429_before_the_file_is_stored()
    {
        var fileSize = MediaUpload.FakeCiphertext(200_000).LongLength;
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
        {
            ["Hoomi:RateLimits:UploadBytesPerHour"] = (fileSize * 2 + 1024).ToString(CultureInfo.InvariantCulture),
        });
        var scene = await MediaScene.CreateAsync(factory);
        for (var i = 0; i < 2; i++)
        {
            var ok = scene.NewUpload();
            ok.Ciphertext = MediaUpload.FakeCiphertext(200_000);
            await scene.UploadAsync(scene.Alice, ok);
        }

        var third = scene.NewUpload();
        third.Ciphertext = MediaUpload.FakeCiphertext(200_000);
        var refused = await scene.Alice.Http.PostAsync($"/hoomis/{scene.HoomiId}/media", third.ToContent());
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
        Assert.That(Directory.GetFiles(factory.BlobRoot, "*", SearchOption.AllDirectories), Has.Length.EqualTo(2));

        var bobs = scene.NewUpload();
        bobs.Ciphertext = MediaUpload.FakeCiphertext(200_000);
        await scene.UploadAsync(scene.Bob, bobs);
    }
}
