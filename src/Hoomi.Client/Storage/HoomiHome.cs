using System.Text.Json;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Storage;

/// <summary>
/// The client's directory (<c>HOOMI_HOME</c>, by default <c>~/.config/hoomi</c>): the device's private key and the
/// session tokens. Both are secrets, so the directory is 0700 and every file 0600, set at creation so that no other
/// user can open them even for an instant.
/// </summary>
public sealed class HoomiHome
{
    public const string EnvironmentVariable = "HOOMI_HOME";
    private const string KeyFile = "device-key.p8";
    private const string SessionFile = "session.json";
    private const string IdentityKeyFile = "identity-key.p8";
    private const string SigningKeyFile = "device-signing-key.p8";
    private const string TrustFile = "trust.json";
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Lock _keyLock = new();
    private DeviceKeyPair? _deviceKey;
    private SigningKeyPair? _signingKey;
    private SigningKeyPair? _identityKey;

    public HoomiHome(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string DeviceKeyPath => Path.Combine(Directory, KeyFile);

    public string SessionPath => Path.Combine(Directory, SessionFile);

    /// <summary><c>HOOMI_HOME</c> when set, else <c>hoomi</c> in the user's configuration directory.</summary>
    public static string DefaultDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        // ApplicationData is $XDG_CONFIG_HOME or ~/.config on Linux, %APPDATA% on Windows.
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "hoomi");
    }

    public bool HasDeviceKey => File.Exists(DeviceKeyPath);

    /// <summary>The device key, generated and stored on first use. The instance is shared; do not dispose it.</summary>
    public DeviceKeyPair GetOrCreateDeviceKey() => GetOrCreateDeviceKey(out _);

    public DeviceKeyPair GetOrCreateDeviceKey(out bool created)
    {
        lock (_keyLock)
        {
            _deviceKey = GetOrCreateKey(_deviceKey, KeyFile, DeviceKeyPair.Generate, DeviceKeyPair.ImportPkcs8, k => k.ExportPkcs8(), out created);
            return _deviceKey;
        }
    }

    /// <summary>Deletes the device's private key (after revoking it); the next use creates a new one.</summary>
    public void DeleteDeviceKey()
    {
        lock (_keyLock)
        {
            File.Delete(DeviceKeyPath);
            File.Delete(SigningKeyPath);
            _deviceKey = null;
            _signingKey = null;
        }
    }

    public string IdentityKeyPath => Path.Combine(Directory, IdentityKeyFile);

    public string SigningKeyPath => Path.Combine(Directory, SigningKeyFile);

    public string TrustPath => Path.Combine(Directory, TrustFile);

    public bool HasIdentityKey => File.Exists(IdentityKeyPath);

    /// <summary>The user's identity key kept on this device, or null (hoomi-e2ee-2). Shared instance; do not dispose.</summary>
    public SigningKeyPair? GetIdentityKey()
    {
        lock (_keyLock)
        {
            if (_identityKey is null && File.Exists(IdentityKeyPath))
            {
                _identityKey = SigningKeyPair.ImportPkcs8(File.ReadAllBytes(IdentityKeyPath));
            }

            return _identityKey;
        }
    }

    /// <summary>Stores an identity key, replacing the one kept here (a new identity, or one imported from another device).</summary>
    public void SaveIdentityKey(SigningKeyPair key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pkcs8 = key.ExportPkcs8();
        try
        {
            lock (_keyLock)
            {
                WriteSecret(IdentityKeyFile, pkcs8, overwrite: true);
                _identityKey = key;
            }
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>This device's signing key (created on first use), which signs uploads and shared wraps.</summary>
    public SigningKeyPair GetOrCreateSigningKey()
    {
        lock (_keyLock)
        {
            _signingKey = GetOrCreateKey(_signingKey, SigningKeyFile, SigningKeyPair.Generate, SigningKeyPair.ImportPkcs8, k => k.ExportPkcs8(), out _);
            return _signingKey;
        }
    }

    /// <summary>
    /// The key held in memory, else the one in <paramref name="file"/>, else a new one written there. CreateNew: two
    /// processes starting at once must not each write a key and leave the other's registered. Called under the key lock.
    /// </summary>
    private T GetOrCreateKey<T>(T? loaded, string file, Func<T> generate, ImportKey<T> import, Func<T, byte[]> export, out bool created)
        where T : class, IDisposable
    {
        created = false;
        if (loaded is not null)
        {
            return loaded;
        }

        var path = Path.Combine(Directory, file);
        if (File.Exists(path))
        {
            return import(File.ReadAllBytes(path));
        }

        var key = generate();
        var pkcs8 = export(key);
        try
        {
            WriteSecret(file, pkcs8, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            key.Dispose();
            return import(File.ReadAllBytes(path));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pkcs8);
        }

        created = true;
        return key;
    }

    private delegate T ImportKey<out T>(ReadOnlySpan<byte> pkcs8);

    /// <summary>The pinned identities (trust on first use), as JSON bytes, or null when none were kept.</summary>
    internal byte[]? LoadTrust() => File.Exists(TrustPath) ? File.ReadAllBytes(TrustPath) : null;

    internal void SaveTrust(byte[] json) => WriteSecret(TrustFile, json, overwrite: true);

    /// <summary>Where <c>hoomi watch</c> keeps the cursor of the last event it printed for one hoomi.</summary>
    public string CursorPath(Guid hoomiId) => Path.Combine(Directory, "cursors", hoomiId.ToString("D"));

    /// <summary>The last event cursor kept for a hoomi, or null when none was kept.</summary>
    public string? LoadCursor(Guid hoomiId)
    {
        var path = CursorPath(hoomiId);
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path).Trim();
        return text.Length == 0 ? null : text;
    }

    public void SaveCursor(Guid hoomiId, string cursor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cursor);
        WriteSecret(Path.Combine("cursors", hoomiId.ToString("D")), System.Text.Encoding.UTF8.GetBytes(cursor), overwrite: true);
    }

    public HoomiSession? LoadSession()
    {
        if (!File.Exists(SessionPath))
        {
            return null;
        }

        return JsonSerializer.Deserialize<HoomiSession>(File.ReadAllBytes(SessionPath), Json);
    }

    public void SaveSession(HoomiSession session) =>
        WriteSecret(SessionFile, JsonSerializer.SerializeToUtf8Bytes(session, Json), overwrite: true);

    public void ClearSession() => File.Delete(SessionPath);

    private void EnsureDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, OwnerOnlyDirectory);
        }
    }

    private void WriteSecret(string name, byte[] content, bool overwrite)
    {
        EnsureDirectory();
        var target = Path.Combine(Directory, name);
        if (Path.GetDirectoryName(target) is { } parent && parent != Directory)
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(parent);
            }
            else
            {
                System.IO.Directory.CreateDirectory(parent, OwnerOnlyDirectory);
            }
        }

        // Write beside and rename: a crash mid-write must not leave a torn key or session behind.
        var temp = overwrite ? target + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp" : target;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        using (var file = new FileStream(temp, options))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode is filtered by the umask; this makes 0600 exact.
            File.SetUnixFileMode(temp, OwnerOnlyFile);
        }

        if (overwrite)
        {
            File.Move(temp, target, overwrite: true);
        }
    }
}
