using System.ComponentModel;
using Hoomi.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hoomi.Cli.Commands;

public sealed class CreateHoomiSettings : GlobalSettings
{
    [CommandArgument(0, "<NAME>")]
    public string Name { get; init; } = "";
}

public sealed class HoomiSettings : JsonSettings
{
    [CommandArgument(0, "<HOOMI>")]
    [Description("A hoomi id, or the name of one of your hoomis.")]
    public string Hoomi { get; init; } = "";
}

public sealed class MemberSettings : GlobalSettings
{
    [CommandArgument(0, "<HOOMI>")]
    public string Hoomi { get; init; } = "";

    [CommandArgument(1, "<USER>")]
    [Description("The member's user name (e-mail); for remove-member also a user id.")]
    public string User { get; init; } = "";
}

[Description("Create a hoomi; you become its owner. Prints its id.")]
public sealed class CreateHoomiCommand(CliEnvironment env) : HoomiCommand<CreateHoomiSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, CreateHoomiSettings settings, CancellationToken cancellationToken)
    {
        var hoomi = await client.CreateHoomiAsync(settings.Name, cancellationToken).ConfigureAwait(false);
        Env.ErrorOut.WriteLine($"Created hoomi '{hoomi.Name}'.");
        Env.Out.WriteLine(hoomi.Id);
        return 0;
    }
}

[Description("List your hoomis.")]
public sealed class ListHoomisCommand(CliEnvironment env) : HoomiCommand<JsonSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, JsonSettings settings, CancellationToken cancellationToken)
    {
        var hoomis = await client.ListHoomisAsync(cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.WriteJson(Env.Out, hoomis);
            return 0;
        }

        var table = new Table().AddColumns("Id", "Name", "Role", "Members", "Used", "Created");
        foreach (var h in hoomis)
        {
            table.AddRow(h.Id.ToString(), Markup.Escape(h.Name), h.Role, h.MemberCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Output.Bytes(h.UsedBytes), Output.Date(h.CreatedAt));
        }

        Env.Console.Write(table);
        return 0;
    }
}

[Description("List a hoomi's members, the trust in each one's identity (verified / new / changed) and their checked device keys.")]
public sealed class MembersCommand(CliEnvironment env) : HoomiCommand<HoomiSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, HoomiSettings settings, CancellationToken cancellationToken)
    {
        var hoomiId = await ResolveHoomiAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        var members = await client.CheckMembersAsync(hoomiId, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.WriteJson(Env.Out, members.Select(t => new
            {
                t.Member.UserId, t.Member.UserName, t.Member.Role, t.Member.JoinedAt,
                identity = t.Identity is null ? null : VerifyCommand.Trust(t.Identity.Value).Split(',')[0],
                identityFingerprint = t.IdentityFingerprint,
                keys = t.Devices.Select(d => new { d.Key.KeyId, status = d.Status.ToString(), d.Reason }),
            }));
            return 0;
        }

        var table = new Table().AddColumns("User id", "User name", "Role", "Joined", "Identity", "Device keys");
        foreach (var t in members)
        {
            var m = t.Member;
            var identity = t.Identity switch
            {
                null => "[grey](no identity yet)[/]",
                Hoomi.Client.Trust.IdentityTrust.Verified => "[green]verified[/]",
                Hoomi.Client.Trust.IdentityTrust.Changed => "[red]CHANGED[/] (hoomi verify " + Markup.Escape(m.UserName) + " --accept)",
                _ => "[yellow]new[/] (hoomi verify " + Markup.Escape(m.UserName) + ")",
            };
            var devices = m.Keys.Count == 0
                ? "[yellow](none: cannot read new media)[/]"
                : string.Join('\n', t.Devices.Select(d => d.Key.KeyId + (d.Status == Hoomi.Client.Trust.DeviceStatus.Valid ? "" : " [red]refused: " + Markup.Escape(d.Reason) + "[/]")));
            table.AddRow(m.UserId.ToString(), Markup.Escape(m.UserName), m.Role, Output.Date(m.JoinedAt), identity, devices);
        }

        Env.Console.Write(table);
        return 0;
    }
}

[Description("Add an account to a hoomi (owners only). Run share-keys afterwards so that it can read earlier media.")]
public sealed class AddMemberCommand(CliEnvironment env) : HoomiCommand<MemberSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, MemberSettings settings, CancellationToken cancellationToken)
    {
        var hoomiId = await ResolveHoomiAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        var member = await client.AddMemberAsync(hoomiId, settings.User, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Added {member.UserName} ({member.UserId}) as {member.Role}.");
        return 0;
    }
}

[Description("Remove a member from a hoomi (owners), or leave it (your own user).")]
public sealed class RemoveMemberCommand(CliEnvironment env) : HoomiCommand<MemberSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, MemberSettings settings, CancellationToken cancellationToken)
    {
        var hoomiId = await ResolveHoomiAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        if (!Guid.TryParse(settings.User, out var userId))
        {
            var members = await client.ListMembersAsync(hoomiId, cancellationToken).ConfigureAwait(false);
            userId = members.FirstOrDefault(m => string.Equals(m.UserName, settings.User, StringComparison.OrdinalIgnoreCase))?.UserId
                ?? throw new HoomiClientException($"'{settings.User}' is not a member of this hoomi.");
        }

        await client.RemoveMemberAsync(hoomiId, userId, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Removed {settings.User}.");
        return 0;
    }
}
