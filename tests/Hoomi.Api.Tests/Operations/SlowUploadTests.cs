using System.Net;
using System.Net.Sockets;
using System.Text;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Operations;

/// <summary>
/// A trickling or stalled upload against the API on a real Kestrel socket (TestServer has no data-rate checks), sent over
/// a raw TCP connection so that the test controls every byte and its timing: the upload is cut with a 408
/// <c>upload-too-slow</c>, its reservation is released and no row, blob or temp file is left; a normal upload then succeeds.
/// </summary>
public sealed class SlowUploadTests
{
    private static (HoomiApiFactory Factory, Uri Address) StartKestrel(Dictionary<string, string?> settings)
    {
        var factory = HoomiApiFactory.OnPostgres(settings);
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (factory, new Uri(address));
    }

    [Test]
    public async Task An_upload_below_the_minimum_data_rate_is_cut_and_leaves_nothing()
    {
        var (factory, address) = StartKestrel(new Dictionary<string, string?>
        {
            ["Hoomi:Media:MinUploadBytesPerSecond"] = "20000",
            ["Hoomi:Media:MinUploadRateGracePeriod"] = "00:00:02",
            ["Hoomi:Media:UploadIdleTimeout"] = "00:00:00",
        });
        using (factory)
        {
            // ~1 KB/s, steadily: never idle, far below the minimum.
            await AssertCutAsync(factory, address, burst: 0, trickle: 100, every: TimeSpan.FromMilliseconds(100));
        }
    }

    [Test]
    public async Task An_upload_that_stalls_longer_than_the_idle_timeout_is_cut_and_leaves_nothing()
    {
        var (factory, address) = StartKestrel(new Dictionary<string, string?>
        {
            ["Hoomi:Media:MinUploadBytesPerSecond"] = "0",
            ["Hoomi:Media:UploadIdleTimeout"] = "00:00:02",
        });
        using (factory)
        {
            // 512 KiB of the file at once (its average rate stays high for minutes), then nothing.
            await AssertCutAsync(factory, address, burst: 512 * 1024, trickle: 0, every: TimeSpan.FromMilliseconds(200));
        }
    }

    [Test]
    public void A_grace_period_Kestrel_cannot_use_stops_the_service_at_start_up_naming_the_setting()
    {
        using var factory = HoomiApiFactory.OnSqlite(new Dictionary<string, string?> { ["Hoomi:Media:MinUploadRateGracePeriod"] = "00:00:01" });
        var ex = Assert.Catch(() => factory.CreateClient());
        Assert.That(ex!.ToString(), Does.Contain("Hoomi:Media:MinUploadRateGracePeriod"));
    }

    private static async Task AssertCutAsync(HoomiApiFactory factory, Uri address, int burst, int trickle, TimeSpan every)
    {
        var http = new HttpClient { BaseAddress = address };
        var scene = await MediaScene.CreateAsync(factory);
        var upload = scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(2 * 1024 * 1024);
        using var content = upload.ToContent();
        var body = await content.ReadAsByteArrayAsync();
        var headerEnd = IndexOf(body, Encoding.ASCII.GetBytes("name=file"));
        headerEnd = IndexOf(body, "\r\n\r\n"u8.ToArray(), headerEnd) + 4;

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        var head = $"POST /hoomis/{scene.HoomiId}/media HTTP/1.1\r\nHost: {address.Authority}\r\n" +
                   $"Authorization: {scene.Alice.Http.DefaultRequestHeaders.Authorization}\r\n" +
                   $"Content-Type: {content.Headers.ContentType}\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var sent = headerEnd + burst;
        await stream.WriteAsync(body.AsMemory(0, sent));

        var response = ReadResponseAsync(stream);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (!response.IsCompleted && !giveUp.IsCancellationRequested && sent < body.Length)
        {
            await Task.WhenAny(response, Task.Delay(every));
            if (trickle > 0 && !response.IsCompleted)
            {
                try
                {
                    await stream.WriteAsync(body.AsMemory(sent, Math.Min(trickle, body.Length - sent)));
                    sent += trickle;
                }
                catch (IOException)
                {
                    break; // the server closed the connection after answering
                }
            }
        }

        Assert.That(sent, Is.LessThan(body.Length), "the test must not have sent the whole upload");
        var (status, text) = await response.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(status, Is.EqualTo(408), text);
        Assert.That(text, Does.Contain("urn:hoomi:problem:upload-too-slow"));

        Assert.That(await DiskFullTests.CountRowsAsync(factory, upload.MediaId), Is.Zero, "no media row nor wrapped keys");
        Assert.That(await DiskFullTests.ReservedBytesAsync(factory, scene.HoomiId), Is.Zero, "the reservation was released");
        Assert.That(Directory.GetFiles(factory.BlobRoot, "*", SearchOption.AllDirectories), Is.Empty, "no blob and no temp file");

        // The same id goes through at full speed afterwards.
        await scene.UploadAsync(scene.Alice, upload);
        Assert.That(await scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}"), Is.EqualTo(upload.Ciphertext));
        http.Dispose();
    }

    /// <summary>Reads one HTTP/1.1 response (status line, headers, Content-Length or chunked body, or up to the close).</summary>
    private static async Task<(int Status, string Text)> ReadResponseAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer);
            }
            catch (IOException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end > 0 && (text.EndsWith("0\r\n\r\n", StringComparison.Ordinal) || HasWholeBody(text, end)))
            {
                break;
            }
        }

        var all = Encoding.UTF8.GetString(received.ToArray());
        var status = all.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(all.AsSpan(9, 3), provider: null) : -1;
        return (status, all);
    }

    private static bool HasWholeBody(string text, int headerEnd)
    {
        var marker = "Content-Length: ";
        var at = text.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0 || at > headerEnd)
        {
            return false;
        }

        var lineEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
        var length = int.Parse(text.AsSpan(at + marker.Length, lineEnd - at - marker.Length), provider: null);
        return Encoding.UTF8.GetByteCount(text[(headerEnd + 4)..]) >= length;
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int from = 0) =>
        haystack.AsSpan(from).IndexOf(needle) is var i and >= 0 ? from + i : throw new InvalidOperationException("marker not found");
}
