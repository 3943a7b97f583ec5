using System.Globalization;
using System.Text.RegularExpressions;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;

namespace Hoomi.Api.Tests.Operations;

public sealed partial class MetricsTests
{
    [Test]
    public async Task Metrics_move_by_exactly_one_upload_and_one_download()
    {
        using var factory = HoomiApiFactory.OnPostgres();
        var scene = await MediaScene.CreateAsync(factory);
        var anonymous = factory.CreateClient();
        var before = Parse(await anonymous.GetStringAsync("/metrics"));

        var upload = scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(123_456);
        await scene.UploadAsync(scene.Alice, upload);
        await scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}");
        var text = await anonymous.GetStringAsync("/metrics");
        var after = Parse(text);

        double Delta(string series) => after.GetValueOrDefault(series) - before.GetValueOrDefault(series);
        var size = upload.Ciphertext.LongLength;
        TestContext.Out.WriteLine(string.Join('\n', after.Where(kv => kv.Key.StartsWith("hoomi_media", StringComparison.Ordinal)).Select(kv => $"{kv.Key} = {kv.Value} (before {before.GetValueOrDefault(kv.Key)})")));
        Assert.Multiple(() =>
        {
            Assert.That(Delta("hoomi_media_uploads_total{outcome=\"created\"}"), Is.EqualTo(1));
            Assert.That(Delta("hoomi_media_uploaded_bytes_total"), Is.EqualTo(size));
            Assert.That(Delta("hoomi_media_downloads_total{part=\"content\",status=\"200\"}"), Is.EqualTo(1));
            Assert.That(Delta("hoomi_media_downloaded_bytes_total"), Is.EqualTo(size));
            Assert.That(text, Does.Contain("http_server_request_duration_seconds_bucket"), "request latency histograms per endpoint");
        });
    }

    [Test]
    public async Task Metrics_name_no_hoomi_and_report_storage_in_total_only()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?> { ["Hoomi:Telemetry:StorageRefreshInterval"] = "00:00:01" });
        var scene = await MediaScene.CreateAsync(factory);
        await scene.UploadAsync(scene.Alice, scene.NewUpload());
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // a refresh of the storage gauges
        var text = await factory.CreateClient().GetStringAsync("/metrics");

        Assert.That(text, Does.Contain("hoomi_storage_used_total"));
        Assert.That(text, Does.Not.Contain(scene.HoomiId.ToString()), "no hoomi id anywhere");
        Assert.That(text, Does.Not.Contain("hoomi_id"), "no per-hoomi label");
    }

    [Test]
    public async Task With_a_metrics_token_metrics_need_it_as_a_bearer_token()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?> { ["Hoomi:Telemetry:MetricsToken"] = "s3cret-scrape-token" });
        var client = factory.CreateClient();

        var anonymous = await client.GetAsync("/metrics");
        Assert.That(anonymous.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
        Assert.That(anonymous.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        await ApiClient.ProblemOf(anonymous);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer s3cret-scrape-tokeN" } } };
        Assert.That((await client.SendAsync(wrong)).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));

        using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer s3cret-scrape-token" } } };
        var ok = await client.SendAsync(right);
        Assert.That(ok.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(await ok.Content.ReadAsStringAsync(), Does.Contain("http_server_request_duration_seconds"));
    }

    /// <summary>Series name with labels (without otel_scope labels) → value, from the Prometheus text format.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var m = SeriesLine().Match(line);
            if (!m.Success)
            {
                continue;
            }

            var labels = string.Join(',', m.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("otel_scope", StringComparison.Ordinal) && !l.StartsWith("job=", StringComparison.Ordinal)
                    && !l.StartsWith("instance=", StringComparison.Ordinal)));
            var key = m.Groups["name"].Value + (labels.Length > 0 ? "{" + labels + "}" : "");
            result[key] = result.GetValueOrDefault(key) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return result;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>[-+0-9.eE]+|NaN)(\s+\d+)?$")]
    private static partial Regex SeriesLine();
}
