using System.Text.Json;
using Hoomi.Client.Crypto;
using Hoomi.Client.Storage;

namespace Hoomi.Client.Trust;

/// <summary>How far this device trusts a person's identity key.</summary>
public enum IdentityTrust
{
    /// <summary>Pinned on first sight (trust on first use), not yet compared out of band.</summary>
    New,

    /// <summary>Compared out of band (<c>hoomi verify</c>), or this user's own identity.</summary>
    Verified,

    /// <summary>The server now shows another identity key than the pinned one: nothing is sent to this person until it is accepted.</summary>
    Changed,
}

/// <summary>One pinned person: the identity key first seen (or accepted) for their user id.</summary>
public sealed record PinnedIdentity(Guid UserId, string? UserName, string IdentityKey, bool Verified, DateTimeOffset PinnedAt, string? SeenIdentityKey = null)
{
    /// <summary>Fingerprint of the pinned identity key.</summary>
    public string Fingerprint => KeyId.Of(Base64Url.Decode(IdentityKey, 65));
}

/// <summary>
/// The identity keys this device has pinned, by user id (<c>trust.json</c> in the Hoomi home). A key is pinned the first
/// time it is seen; a different key later is reported as <see cref="IdentityTrust.Changed"/> and never replaces the
/// pinned one by itself: only <see cref="Accept"/> does.
/// </summary>
public sealed class TrustStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly HoomiHome _home;
    private readonly Lock _lock = new();
    private Dictionary<Guid, PinnedIdentity>? _pins;

    public TrustStore(HoomiHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        _home = home;
    }

    public IReadOnlyCollection<PinnedIdentity> All
    {
        get
        {
            lock (_lock)
            {
                return [.. Pins.Values];
            }
        }
    }

    private Dictionary<Guid, PinnedIdentity> Pins
    {
        get
        {
            if (_pins is null)
            {
                var bytes = _home.LoadTrust();
                var list = bytes is null ? [] : JsonSerializer.Deserialize<List<PinnedIdentity>>(bytes, Json) ?? [];
                _pins = list.ToDictionary(p => p.UserId);
            }

            return _pins;
        }
    }

    public PinnedIdentity? Get(Guid userId)
    {
        lock (_lock)
        {
            return Pins.GetValueOrDefault(userId);
        }
    }

    /// <summary>The trust in <paramref name="identityKey"/> for this user; pins it when the user was never seen.</summary>
    public IdentityTrust Evaluate(Guid userId, string? userName, string identityKey)
    {
        lock (_lock)
        {
            if (!Pins.TryGetValue(userId, out var pin))
            {
                Pins[userId] = new PinnedIdentity(userId, userName, identityKey, Verified: false, DateTimeOffset.UtcNow);
                Save();
                return IdentityTrust.New;
            }

            if (pin.IdentityKey == identityKey)
            {
                if (userName is not null && pin.UserName != userName)
                {
                    Pins[userId] = pin with { UserName = userName };
                    Save();
                }

                return pin.Verified ? IdentityTrust.Verified : IdentityTrust.New;
            }

            if (pin.SeenIdentityKey != identityKey)
            {
                Pins[userId] = pin with { SeenIdentityKey = identityKey, UserName = userName ?? pin.UserName };
                Save();
            }

            return IdentityTrust.Changed;
        }
    }

    /// <summary>Pins <paramref name="identityKey"/> for the user, replacing any other, and marks it verified.</summary>
    public void Accept(Guid userId, string? userName, string identityKey)
    {
        lock (_lock)
        {
            var name = userName ?? Pins.GetValueOrDefault(userId)?.UserName;
            Pins[userId] = new PinnedIdentity(userId, name, identityKey, Verified: true, DateTimeOffset.UtcNow);
            Save();
        }
    }

    private void Save() => _home.SaveTrust(JsonSerializer.SerializeToUtf8Bytes(Pins.Values.OrderBy(p => p.UserId).ToList(), Json));
}
