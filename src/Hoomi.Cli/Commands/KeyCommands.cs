using System.ComponentModel;
using Hoomi.Client;
using Spectre.Console;

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
