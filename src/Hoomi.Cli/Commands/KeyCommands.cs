using System.ComponentModel;
using Hoomi.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hoomi.Cli.Commands;

public sealed class KeysInitSettings : GlobalSettings
{
    [CommandOption("--new-identity")]
    [Description("Start a new identity key even though the account has one on another device (members will see your identity as changed).")]
    public bool NewIdentity { get; init; }
}

[Description("Create this device's keys (if needed), certify them with your identity key (created on your first device) and register them.")]
public sealed class KeysInitCommand(CliEnvironment env) : HoomiCommand<KeysInitSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, KeysInitSettings settings, CancellationToken cancellationToken)
    {
        var hadIdentity = client.Home.HasIdentityKey;
        client.Home.GetOrCreateDeviceKey(out var created);
        var info = await client.RegisterDeviceKeyAsync(settings.NewIdentity, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine(created ? $"Created a device key in {client.Home.DeviceKeyPath}" : $"Using the device key in {client.Home.DeviceKeyPath}");
        if (!hadIdentity || settings.NewIdentity)
        {
            Env.Out.WriteLine($"Created your identity key in {client.Home.IdentityKeyPath}; move it to your other devices with 'hoomi identity export'.");
        }

        Env.Out.WriteLine($"Registered for {client.Session?.UserName}, certified by your identity key {client.Home.GetIdentityKey()!.Fingerprint}.");
        Env.Out.WriteLine("Device fingerprint:");
        Env.Out.WriteLine(info.KeyId);
        return 0;
    }
}

public sealed class IdentityFileSettings : GlobalSettings
{
    [CommandArgument(0, "<FILE>")]
    public string File { get; init; } = "";

    [CommandOption("--password-stdin")]
    [Description("Read the file's password from the first line of standard input instead of prompting.")]
    public bool PasswordStdin { get; init; }
}

[Description("Write your identity key to FILE, encrypted with a password, to import it on your other devices.")]
public sealed class IdentityExportCommand(CliEnvironment env) : HoomiCommand<IdentityFileSettings>(env)
{
    protected override Task<int> RunAsync(HoomiClient client, IdentityFileSettings settings, CancellationToken cancellationToken)
    {
        var password = Passwords.Read(Env, settings.PasswordStdin, confirm: true);
        if (password.Length < 8)
        {
            throw new HoomiClientException("Use a password of at least 8 characters: the file holds your identity.");
        }

        var bytes = client.ExportIdentity(password);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(settings.File, options))
        {
            file.Write(bytes);
        }

        Env.Out.WriteLine($"Wrote your identity key {client.Home.GetIdentityKey()!.Fingerprint} to {Path.GetFullPath(settings.File)}. On the new device: hoomi identity import FILE, then hoomi keys init.");
        return Task.FromResult(0);
    }
}

[Description("Import your identity key from a file 'hoomi identity export' wrote on another of your devices.")]
public sealed class IdentityImportCommand(CliEnvironment env) : HoomiCommand<IdentityFileSettings>(env)
{
    protected override Task<int> RunAsync(HoomiClient client, IdentityFileSettings settings, CancellationToken cancellationToken)
    {
        var bytes = File.ReadAllBytes(settings.File);
        var password = Passwords.Read(Env, settings.PasswordStdin, confirm: false);
        var key = client.ImportIdentity(bytes, password);
        Env.Out.WriteLine($"Imported your identity key {key.Fingerprint}. Next: hoomi keys init certifies this device with it.");
        return Task.FromResult(0);
    }
}

public sealed class VerifySettings : GlobalSettings
{
    [CommandArgument(0, "<USER>")]
    [Description("The person's user name (or user id), a member of one of your hoomis.")]
    public string User { get; init; } = "";

    [CommandOption("--accept")]
    [Description("Accept a changed identity key (after comparing the new safety number).")]
    public bool Accept { get; init; }

    [CommandOption("-y|--yes")]
    [Description("Mark verified without asking whether the numbers match.")]
    public bool Yes { get; init; }
}

[Description("Show the safety number you share with a person; compare it with theirs out of band, then mark them verified.")]
public sealed class VerifyCommand(CliEnvironment env) : HoomiCommand<VerifySettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, VerifySettings settings, CancellationToken cancellationToken)
    {
        var info = await client.GetSafetyNumberAsync(settings.User, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Safety number with {info.UserName} (identity {info.IdentityFingerprint}, {Trust(info.Trust)}):");
        Env.Out.WriteLine(info.Number);
        if (info.Trust == Hoomi.Client.Trust.IdentityTrust.Changed && !settings.Accept)
        {
            Env.ErrorOut.WriteLine($"{info.UserName}'s identity key changed since you first saw it. Nothing is sent to them until you compare this number with them and run 'hoomi verify {info.UserName} --accept'.");
            return 1;
        }

        if (!settings.Yes)
        {
            if (!Env.Error.Profile.Capabilities.Interactive)
            {
                Env.ErrorOut.WriteLine("Compare it with theirs ('hoomi verify YOU' on their side); pass --yes to mark them verified.");
                return 0;
            }

            if (!Env.Error.Confirm($"Does {info.UserName} see the same number?", defaultValue: false))
            {
                Env.ErrorOut.WriteLine("Not marked verified.");
                return 1;
            }
        }

        client.MarkVerified(info, settings.Accept);
        Env.Out.WriteLine($"Marked {info.UserName} verified.");
        return 0;
    }

    internal static string Trust(Hoomi.Client.Trust.IdentityTrust trust) => trust switch
    {
        Hoomi.Client.Trust.IdentityTrust.Verified => "verified",
        Hoomi.Client.Trust.IdentityTrust.Changed => "CHANGED",
        _ => "new, not yet verified",
    };
}

[Description("Show this device's key fingerprint and the keys registered for your account.")]
public sealed class KeysShowCommand(CliEnvironment env) : HoomiCommand<JsonSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, JsonSettings settings, CancellationToken cancellationToken)
    {
        if (!client.Home.HasDeviceKey)
        {
            throw new HoomiClientException($"No device key in {client.Home.Directory}: run 'hoomi keys init'.");
        }

        var keyId = client.DeviceKey.KeyId;
        var registered = client.IsSignedIn ? await client.ListMyKeysAsync(cancellationToken).ConfigureAwait(false) : [];
        if (settings.Json)
        {
            Output.WriteJson(Env.Out, new { deviceKeyId = keyId, publicKey = client.DeviceKey.PublicKeyBase64Url, registeredKeys = registered });
            return 0;
        }

        Env.Out.WriteLine($"This device: {keyId}");
        foreach (var key in registered)
        {
            var state = key.RevokedAt is null ? "active" : "revoked " + Output.Date(key.RevokedAt.Value);
            Env.Out.WriteLine($"  {(key.KeyId == keyId ? "*" : " ")} {key.KeyId}  {Output.Date(key.CreatedAt)}  {state}");
        }

        return 0;
    }
}

public sealed class RevokeKeySettings : GlobalSettings
{
    [CommandArgument(0, "[KEYID]")]
    [Description("The key to revoke (default: this device's).")]
    public string? KeyId { get; init; }

    [CommandOption("-y|--yes")]
    [Description("Do not ask for confirmation.")]
    public bool Yes { get; init; }
}

[Description("Revoke a device key (default: this device's, whose private key file is then deleted). New uploads no longer wrap for it.")]
public sealed class KeysRevokeCommand(CliEnvironment env) : HoomiCommand<RevokeKeySettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, RevokeKeySettings settings, CancellationToken cancellationToken)
    {
        var own = client.Home.HasDeviceKey ? client.DeviceKey.KeyId : null;
        var keyId = KeyIdArgument.Unprotect(settings.KeyId) ?? own ?? throw new HoomiClientException($"No device key in {client.Home.Directory}: name the key id to revoke (hoomi keys show).");
        var isOwn = keyId == own;
        if (!settings.Yes)
        {
            if (!Env.Error.Profile.Capabilities.Interactive)
            {
                throw new HoomiClientException("Revoking cannot be undone; pass --yes to confirm without a terminal.");
            }

            var question = isOwn
                ? $"Revoke this device's key {keyId} and delete it from {client.Home.Directory}? Media shared only with it can no longer be read here."
                : $"Revoke device key {keyId}? Media shared only with it can no longer be read on that device.";
            if (!Env.Error.Confirm(question, defaultValue: false))
            {
                Env.ErrorOut.WriteLine("Nothing revoked.");
                return 1;
            }
        }

        await client.RevokeDeviceKeyAsync(keyId, forgetLocalKey: isOwn, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine(isOwn
            ? $"Revoked {keyId} and deleted {client.Home.DeviceKeyPath}. 'hoomi keys init' creates a new key; members then run 'hoomi share-keys'."
            : $"Revoked {keyId}.");
        return 0;
    }
}
