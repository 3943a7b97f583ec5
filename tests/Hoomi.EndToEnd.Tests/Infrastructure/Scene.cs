using System.Text;
using Hoomi.Client;
using Hoomi.Client.Storage;

namespace Hoomi.EndToEnd.Tests.Infrastructure;

/// <summary>A user of the service: an account, a home directory of its own (device key, tokens) and an SDK client.</summary>
public sealed class TestUser : IDisposable
{
    public const string Password = "Corr3ct-horse-battery!";

    private TestUser(HoomiClient client, string email, string homeDirectory, CountingHandler handler)
    {
        Client = client;
        Email = email;
        HomeDirectory = homeDirectory;
        Handler = handler;
    }

    public HoomiClient Client { get; }

    public string Email { get; }

    public string HomeDirectory { get; }

    public CountingHandler Handler { get; }

    /// <summary>Registers, logs in and (unless told not to) registers a device key.</summary>
    public static Task<TestUser> CreateAsync(ApiHost api, string name, bool withKey = true) => CreateAsync(api.BaseAddress, name, withKey);

    /// <summary>Registers, logs in and (unless told not to) registers a device key, against the API at <paramref name="server"/>.</summary>
    public static async Task<TestUser> CreateAsync(Uri server, string name, bool withKey = true)
    {
        var email = $"{name}-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        var user = await SignInAsync(server, email, register: true);
        if (withKey)
        {
            await user.Client.RegisterDeviceKeyAsync();
        }

        return user;
    }

    /// <summary>
    /// The same account on another device: a new home, hence a new device key, with the identity key imported from this
    /// device (as 'hoomi identity export' / 'import' do), so that registering its key certifies it.
    /// </summary>
    public async Task<TestUser> OnAnotherDeviceAsync(ApiHost api, bool withIdentity = true)
    {
        var other = await SignInAsync(api.BaseAddress, Email, register: false);
        if (withIdentity && Client.Home.HasIdentityKey)
        {
            other.Client.ImportIdentity(Client.ExportIdentity(Password), Password);
        }

        return other;
    }

    private static async Task<TestUser> SignInAsync(Uri server, string email, bool register)
    {
        var home = Path.Combine(Path.GetTempPath(), "hoomi-e2e-home-" + Guid.NewGuid().ToString("N")[..12]);
        var handler = new CountingHandler();
        var client = new HoomiClient(server, new HoomiHome(home), handler);
        if (register)
        {
            await client.RegisterAsync(email, Password);
        }

        await client.LoginAsync(email, Password);
        return new TestUser(client, email, home, handler);
    }

    /// <summary>Adds <paramref name="member"/> to a hoomi of this owner as it happens: this user invites, the member accepts.</summary>
    public async Task AddMemberAsync(Guid hoomiId, TestUser member)
    {
        ArgumentNullException.ThrowIfNull(member);
        await Client.AddMemberAsync(hoomiId, member.Email);
        await member.Client.AcceptInvitationAsync(hoomiId);
    }

    public void Dispose()
    {
        Client.Dispose();
        Handler.Dispose();
        if (Directory.Exists(HomeDirectory))
        {
            Directory.Delete(HomeDirectory, recursive: true);
        }
    }
}

public static class Plaintext
{
    /// <summary>Random bytes with a recognisable marker every 64 KiB, so that a leak of any part would be found.</summary>
    public static byte[] WithMarker(int length, string marker)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        var m = Encoding.ASCII.GetBytes(marker);
        for (var at = 0; at + m.Length <= length; at += 64 * 1024)
        {
            m.CopyTo(bytes, at);
        }

        return bytes;
    }

    public static bool Contains(string path, byte[] needle)
    {
        var haystack = File.ReadAllBytes(path);
        return haystack.AsSpan().IndexOf(needle) >= 0;
    }
}
