using System.Text.Json;
using Hoomi.EndToEnd.Tests.Infrastructure;

namespace Hoomi.EndToEnd.Tests;

/// <summary>Two people's CLIs, each with its own home: safety numbers, a cross-signed second device, a changed identity.</summary>
public sealed partial class CliEndToEndTests
{
    private async Task<string> CliUserAsync(string name, string home)
    {
        var email = $"{name}-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        AssertOk(await HoomiAsync(home, Infrastructure.TestUser.Password + "\n", "register", email, "--password-stdin"));
        AssertOk(await HoomiAsync(home, null, "keys", "init"));
        return email;
    }

    private async Task<JsonElement> MembersJsonAsync(string home, string hoomi)
    {
        var members = await HoomiAsync(home, null, "hoomi", "members", hoomi, "--json");
        AssertOk(members);
        return JsonDocument.Parse(members.Out).RootElement.Clone();
    }

    private static string IdentityOf(JsonElement members, string email) =>
        members.EnumerateArray().Single(m => m.GetProperty("userName").GetString() == email).GetProperty("identity").GetString()!;

    [Test]
    public async Task Verify_shows_the_same_safety_number_on_both_sides_and_marks_the_other_verified()
    {
        var aliceHome = Path.Combine(_work, "sn-alice");
        var bobHome = Path.Combine(_work, "sn-bob");
        var alice = await CliUserAsync("alice", aliceHome);
        var bob = await CliUserAsync("bob", bobHome);
        var hoomi = Guid.Parse((await HoomiAsync(aliceHome, null, "hoomi", "create", "Numbers")).LastLine).ToString();
        await AddMemberAsync(aliceHome, hoomi, bobHome, bob);
        Assert.That(IdentityOf(await MembersJsonAsync(aliceHome, hoomi), bob), Is.EqualTo("new"), "pinned on first sight, not verified");

        var fromAlice = await HoomiAsync(aliceHome, null, "verify", bob);
        var fromBob = await HoomiAsync(bobHome, null, "verify", alice);
        AssertOk(fromAlice);
        AssertOk(fromBob);
        var numberA = fromAlice.Out.Split('\n')[1].Trim();
        var numberB = fromBob.Out.Split('\n')[1].Trim();
        Assert.That(numberA, Does.Match(@"^(\d{5} ){11}\d{5}$"));
        Assert.That(numberB, Is.EqualTo(numberA), "both sides compute the same number");

        AssertOk(await HoomiAsync(aliceHome, null, "verify", bob, "--yes"));
        Assert.That(IdentityOf(await MembersJsonAsync(aliceHome, hoomi), bob), Is.EqualTo("verified"));
        Assert.That(IdentityOf(await MembersJsonAsync(aliceHome, hoomi), alice), Is.EqualTo("verified"), "your own identity");
    }

    [Test]
    public async Task A_cross_signed_new_device_gets_files_without_a_question_and_a_changed_identity_is_flagged()
    {
        var aliceHome = Path.Combine(_work, "x-alice");
        var bobPhone = Path.Combine(_work, "x-bob-phone");
        var bobLaptop = Path.Combine(_work, "x-bob-laptop");
        var alice = await CliUserAsync("alice", aliceHome);
        var bob = await CliUserAsync("bob", bobPhone);
        var hoomi = Guid.Parse((await HoomiAsync(aliceHome, null, "hoomi", "create", "Cross")).LastLine).ToString();
        await AddMemberAsync(aliceHome, hoomi, bobPhone, bob);
        AssertOk(await HoomiAsync(aliceHome, null, "verify", bob, "--yes"));

        // Bob's laptop: log in, import the identity from the phone, certify the laptop's key.
        var exported = Path.Combine(_work, "bob-identity.p8");
        AssertOk(await HoomiAsync(bobPhone, "identity password\n", "identity", "export", exported, "--password-stdin"));
        AssertOk(await HoomiAsync(bobLaptop, Infrastructure.TestUser.Password + "\n", "login", bob, "--password-stdin"));
        var refused = await HoomiAsync(bobLaptop, null, "keys", "init");
        Assert.That(refused.ExitCode, Is.EqualTo(1), "a new device without the identity key would be a new identity");
        Assert.That(refused.Error, Does.Contain("identity import"));
        AssertOk(await HoomiAsync(bobLaptop, "identity password\n", "identity", "import", exported, "--password-stdin"));
        AssertOk(await HoomiAsync(bobLaptop, null, "keys", "init"));

        var members = await MembersJsonAsync(aliceHome, hoomi);
        var bobRow = members.EnumerateArray().Single(m => m.GetProperty("userName").GetString() == bob);
        Assert.That(bobRow.GetProperty("identity").GetString(), Is.EqualTo("verified"), "still verified: the laptop is certified by the same identity");
        Assert.That(bobRow.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("status").GetString()), Is.EqualTo(new[] { "Valid", "Valid" }));

        var file = Path.Combine(_work, "x-photo.jpg");
        var plaintext = Plaintext.WithMarker(123_456, "CROSS");
        await File.WriteAllBytesAsync(file, plaintext);
        var upload = await HoomiAsync(aliceHome, null, "upload", file, "--to", hoomi);
        AssertOk(upload);
        var copy = Path.Combine(_work, "x-copy.jpg");
        var download = await HoomiAsync(bobLaptop, null, "download", upload.LastLine, "-o", copy);
        AssertOk(download);
        Assert.That(await File.ReadAllBytesAsync(copy), Is.EqualTo(plaintext));
        Assert.That(download.Error, Does.Contain("sent by " + alice));
        var ls = await HoomiAsync(bobLaptop, null, "ls", hoomi, "--json");
        AssertOk(ls);
        Assert.That(JsonDocument.Parse(ls.Out).RootElement.EnumerateArray().Single().GetProperty("sender").GetString(), Is.EqualTo(alice + " (new)"));

        // Carol starts over with a new identity on a new device and revokes her old one: alice must notice.
        var carolOld = Path.Combine(_work, "x-carol-old");
        var carolNew = Path.Combine(_work, "x-carol-new");
        var carol = await CliUserAsync("carol", carolOld);
        await AddMemberAsync(aliceHome, hoomi, carolOld, carol);
        Assert.That(IdentityOf(await MembersJsonAsync(aliceHome, hoomi), carol), Is.EqualTo("new"));
        var oldKey = new Hoomi.Client.Storage.HoomiHome(carolOld).GetOrCreateDeviceKey().KeyId;
        AssertOk(await HoomiAsync(carolNew, Infrastructure.TestUser.Password + "\n", "login", carol, "--password-stdin"));
        AssertOk(await HoomiAsync(carolNew, null, "keys", "init", "--new-identity"));
        AssertOk(await HoomiAsync(carolNew, null, "keys", "revoke", oldKey, "--yes"));
        var newKey = new Hoomi.Client.Storage.HoomiHome(carolNew).GetOrCreateDeviceKey().KeyId;

        Assert.That(IdentityOf(await MembersJsonAsync(aliceHome, hoomi), carol), Is.EqualTo("CHANGED"));
        var blocked = await HoomiAsync(aliceHome, null, "upload", file, "--to", hoomi);
        Assert.That(blocked.ExitCode, Is.EqualTo(1));
        Assert.That(blocked.Error, Does.Contain(carol).And.Contain(newKey).And.Contain("new identity key"));
        var verify = await HoomiAsync(aliceHome, null, "verify", carol);
        Assert.That(verify.ExitCode, Is.EqualTo(1), "a changed identity is not taken without --accept");
        var carolSide = await HoomiAsync(carolNew, null, "verify", alice);
        Assert.That(carolSide.Out.Split('\n')[1], Is.EqualTo(verify.Out.Split('\n')[1]), "the new number is the same on both sides");
        AssertOk(await HoomiAsync(aliceHome, null, "verify", carol, "--accept", "--yes"));
        AssertOk(await HoomiAsync(aliceHome, null, "upload", file, "--to", hoomi));
    }

    [Test]
    public async Task A_file_with_no_extension_is_sent_as_octet_stream_and_downloaded_identically()
    {
        var aliceHome = Path.Combine(_work, "noext-alice");
        var bobHome = Path.Combine(_work, "noext-bob");
        await CliUserAsync("alice", aliceHome);
        var bob = await CliUserAsync("bob", bobHome);
        var hoomi = Guid.Parse((await HoomiAsync(aliceHome, null, "hoomi", "create", "Anything")).LastLine).ToString();
        await AddMemberAsync(aliceHome, hoomi, bobHome, bob);
        var file = Path.Combine(_work, "README-no-extension");
        var bytes = Plaintext.WithMarker(77_777, "NOEXT");
        await File.WriteAllBytesAsync(file, bytes);

        var upload = await HoomiAsync(aliceHome, null, "upload", file, "--to", hoomi);
        AssertOk(upload);
        var ls = await HoomiAsync(bobHome, null, "ls", hoomi, "--json");
        AssertOk(ls);
        var item = JsonDocument.Parse(ls.Out).RootElement.EnumerateArray().Single();
        Assert.That(item.GetProperty("mimeType").GetString(), Is.EqualTo("application/octet-stream"));
        Assert.That(item.GetProperty("name").GetString(), Is.EqualTo("README-no-extension"));

        var blobs = Directory.GetFiles(_api.BlobRoot, "*", SearchOption.AllDirectories).Where(f => f.Contains(upload.LastLine, StringComparison.Ordinal)).ToList();
        Assert.That(blobs.Select(Path.GetFileName), Is.EqualTo(new[] { upload.LastLine }), "no thumbnail blob when none was given");
        var copy = Path.Combine(_work, "noext-copy");
        AssertOk(await HoomiAsync(bobHome, null, "download", upload.LastLine, "-o", copy));
        Assert.That(await File.ReadAllBytesAsync(copy), Is.EqualTo(bytes));
    }

    [Test]
    public async Task Keys_revoke_takes_a_key_id_that_starts_with_a_dash()
    {
        var home = Path.Combine(_work, "dash-key");
        await CliUserAsync("dana", home);
        // A key id is base64url: one in 64 starts with '-'. Register keys until one does (a few dozen at most).
        string? dashed = null;
        for (var i = 0; i < 400 && dashed is null; i++)
        {
            using var key = Hoomi.Client.Crypto.DeviceKeyPair.Generate();
            if (key.KeyId.StartsWith('-'))
            {
                dashed = key.KeyId;
                var client = new Hoomi.Client.HoomiClient(_api.BaseAddress, new Hoomi.Client.Storage.HoomiHome(home));
                using var http = new HttpClient { BaseAddress = _api.BaseAddress };
                http.DefaultRequestHeaders.Authorization = new("Bearer", client.Session!.AccessToken);
                using var put = await http.PutAsync("me/keys/" + key.KeyId, new StringContent($"{{\"publicKey\":\"{key.PublicKeyBase64Url}\"}}", System.Text.Encoding.UTF8, "application/json"));
                Assert.That(put.IsSuccessStatusCode, Is.True);
                client.Dispose();
            }
        }

        Assert.That(dashed, Is.Not.Null);
        AssertOk(await HoomiAsync(home, null, "keys", "revoke", dashed!, "--yes"));
        var show = await HoomiAsync(home, null, "keys", "show", "--json");
        AssertOk(show);
        var revoked = JsonDocument.Parse(show.Out).RootElement.GetProperty("registeredKeys").EnumerateArray().Single(k => k.GetProperty("keyId").GetString() == dashed);
        Assert.That(revoked.GetProperty("revokedAt").ValueKind, Is.Not.EqualTo(JsonValueKind.Null));
    }
}
