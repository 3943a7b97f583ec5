using System.ComponentModel;
using Hoomi.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hoomi.Cli.Commands;

[Description("Create this device's key (if needed) and register its public half with the server.")]
public sealed class KeysInitCommand(CliEnvironment env) : HoomiCommand<GlobalSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, GlobalSettings settings, CancellationToken cancellationToken)
    {
        client.Home.GetOrCreateDeviceKey(out var created);
        var info = await client.RegisterDeviceKeyAsync(cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine(created ? $"Created a device key in {client.Home.DeviceKeyPath}" : $"Using the device key in {client.Home.DeviceKeyPath}");
        Env.Out.WriteLine($"Registered for {client.Session?.UserName}. Fingerprint (compare it with your contacts out of band):");
        Env.Out.WriteLine(info.KeyId);
        return 0;
    }
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
        var keyId = settings.KeyId ?? own ?? throw new HoomiClientException($"No device key in {client.Home.Directory}: name the key id to revoke (hoomi keys show).");
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
