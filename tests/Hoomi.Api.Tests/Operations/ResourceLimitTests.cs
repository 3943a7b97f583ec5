using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Hoomi.Api.Tests.Media;
using Hoomi.Application.Quotas.Commands;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hoomi.Api.Tests.Operations;

/// <summary>What one account or an outsider can make the server spend (PostgreSQL).</summary>
public sealed class ResourceLimitTests
{
    /// <summary>Counts what the server reads of each request body (wraps it before any endpoint sees it).</summary>
    private sealed class BodyReadCounter : IStartupFilter
    {
        private long _read;

        public long Read => Interlocked.Read(ref _read);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                context.Request.Body = new CountingStream(context.Request.Body, n => Interlocked.Add(ref _read, n));
                await following(context);
            });
            next(app);
        };
    }

    private sealed class CountingStream(Stream inner, Action<long> counted) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            counted(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            counted(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Test]
    public async Task An_outsider_is_refused_before_a_byte_of_the_upload_body_is_read()
    {
        var counter = new BodyReadCounter();
        using var factory = HoomiApiFactory.OnPostgres(testServices: services => services.AddSingleton<IStartupFilter>(counter));
        var scene = await MediaScene.CreateAsync(factory);
        var upload = MediaUpload.For(scene.AliceKey, scene.BobKey);
        upload.Ciphertext = MediaUpload.FakeCiphertext(1 << 20);
        var before = counter.Read;

        var response = await scene.Mallory.Http.PostAsync($"/hoomis/{scene.HoomiId}/media", upload.ToContent());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await ApiClient.ProblemOf(response);
        Assert.That(counter.Read - before, Is.Zero, "not even the metadata part was read");

        var member = await scene.Bob.Http.PostAsync($"/hoomis/{scene.HoomiId}/media", upload.ToContent());
        Assert.That(member.StatusCode, Is.EqualTo(HttpStatusCode.Created), await member.Content.ReadAsStringAsync());
        Assert.That(counter.Read - before, Is.GreaterThan(1 << 20), "the counter does see what a member sends");
    }

    [Test]
    public async Task Stale_reservations_are_released_and_recent_ones_kept()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?> { ["Hoomi:Retention:RunJobs"] = "false" });
        var alice = await ApiClient.RegisterAsync(factory.CreateClient(), "alice");
        var crashed = await alice.CreateHoomiAsync("Crashed");
        var busy = await alice.CreateHoomiAsync("Busy");
        await using (var connection = new NpgsqlConnection(factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "UPDATE hoomis SET reserved_bytes = 5000, reserved_at = now() - interval '2 days' WHERE id = @crashed;" +
                "UPDATE hoomis SET reserved_bytes = 7000, reserved_at = now() - interval '1 hour' WHERE id = @busy;", connection);
            command.Parameters.AddWithValue("crashed", crashed);
            command.Parameters.AddWithValue("busy", busy);
            await command.ExecuteNonQueryAsync();
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new ReleaseStaleReservationsCommand());
            Assert.That(result.HoomisReleased, Is.EqualTo(1));
        }

        await using var check = new NpgsqlConnection(factory.ConnectionString);
        await check.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT id, reserved_bytes FROM hoomis WHERE id IN (@crashed, @busy)", check);
        read.Parameters.AddWithValue("crashed", crashed);
        read.Parameters.AddWithValue("busy", busy);
        var reserved = new Dictionary<Guid, long>();
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                reserved[reader.GetGuid(0)] = reader.GetInt64(1);
            }
        }

        Assert.That(reserved[crashed], Is.Zero, "a reservation older than StaleReservationAfter (24 h) is released");
        Assert.That(reserved[busy], Is.EqualTo(7000), "a recent one may belong to an upload still running");
    }

    [Test]
    public async Task An_account_cannot_own_more_hoomis_nor_hold_more_active_device_keys_than_configured()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
        {
            ["Hoomi:Quotas:MaxHoomisPerUser"] = "2",
            ["Hoomi:Quotas:MaxDeviceKeysPerUser"] = "2",
        });
        var alice = await ApiClient.RegisterAsync(factory.CreateClient(), "alice");
        await alice.CreateHoomiAsync("One");
        await alice.CreateHoomiAsync("Two");
        var third = await alice.Http.PostAsJsonAsync("/hoomis", new { name = "Three" });
        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var problem = await ApiClient.ProblemOf(third);
        Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:hoomi-limit-reached"));
        Assert.That(problem["limit"]!.GetValue<int>(), Is.EqualTo(2));

        var first = await alice.RegisterDeviceKeyAsync();
        await alice.RegisterDeviceKeyAsync();
        var extra = TestDeviceKey.Generate();
        var refused = await alice.Http.PutAsJsonAsync($"/me/keys/{extra.KeyId}", new { publicKey = extra.PublicKeyBase64Url });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ApiClient.ProblemOf(refused))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:device-key-limit-reached"));

        var again = await alice.Http.PutAsJsonAsync($"/me/keys/{first.KeyId}", new { publicKey = first.PublicKeyBase64Url });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "putting a key already registered is not a new one");
        Assert.That((await alice.Http.DeleteAsync($"/me/keys/{first.KeyId}")).IsSuccessStatusCode, Is.True);
        var afterRevoke = await alice.Http.PutAsJsonAsync($"/me/keys/{extra.KeyId}", new { publicKey = extra.PublicKeyBase64Url });
        Assert.That(afterRevoke.StatusCode, Is.EqualTo(HttpStatusCode.Created), "a revoked key frees its place");
    }
}
