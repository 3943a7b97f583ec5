using System.ComponentModel;
using Hoomi.Client;
using Hoomi.Client.Api;
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

[Description("Invite an account to a hoomi (owners only); it becomes a member when it accepts (hoomi accept). Run share-keys then so that it can read earlier media.")]
public sealed class AddMemberCommand(CliEnvironment env) : HoomiCommand<MemberSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, MemberSettings settings, CancellationToken cancellationToken)
    {
        var hoomiId = await ResolveHoomiAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        await client.AddMemberAsync(hoomiId, settings.User, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Invited {settings.User}. If that account exists, it becomes a member once it accepts (hoomi accept); "
            + "the server does not say whether it exists.");
        return 0;
    }
}

public sealed class InvitationSettings : GlobalSettings
{
    [CommandArgument(0, "<HOOMI>")]
    [Description("The hoomi of the invitation: its id or its name.")]
    public string Hoomi { get; init; } = "";
}

[Description("List the invitations to hoomis you have not answered (hoomi accept / hoomi decline).")]
public sealed class InvitationsCommand(CliEnvironment env) : HoomiCommand<JsonSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, JsonSettings settings, CancellationToken cancellationToken)
    {
        var invitations = await client.ListInvitationsAsync(cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.WriteJson(Env.Out, invitations);
            return 0;
        }

        if (invitations.Count == 0)
        {
            Env.Out.WriteLine("No pending invitations.");
            return 0;
        }

        var table = new Table().AddColumns("Hoomi id", "Name", "Invited by", "Invited");
        foreach (var i in invitations)
        {
            table.AddRow(i.HoomiId.ToString(), Markup.Escape(i.HoomiName), Markup.Escape(i.InvitedByUserName), Output.Date(i.InvitedAt));
        }

        Env.Console.Write(table);
        return 0;
    }
}

internal static class Invitations
{
    /// <summary>An invitation by hoomi id, or by the hoomi's name among the caller's pending invitations.</summary>
    public static async Task<InvitationInfo> ResolveAsync(HoomiClient client, string hoomi, CancellationToken cancellationToken)
    {
        var invitations = await client.ListInvitationsAsync(cancellationToken).ConfigureAwait(false);
        var matches = Guid.TryParse(hoomi, out var id)
            ? invitations.Where(i => i.HoomiId == id).ToList()
            : invitations.Where(i => string.Equals(i.HoomiName, hoomi, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new HoomiClientException($"You have no pending invitation to '{hoomi}' (hoomi invitations lists them)."),
            _ => throw new HoomiClientException($"Several invitations are to hoomis named '{hoomi}': use the id (hoomi invitations)."),
        };
    }
}

[Description("Accept an invitation: you become a member of the hoomi.")]
public sealed class AcceptInvitationCommand(CliEnvironment env) : HoomiCommand<InvitationSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, InvitationSettings settings, CancellationToken cancellationToken)
    {
        var invitation = await Invitations.ResolveAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        await client.AcceptInvitationAsync(invitation.HoomiId, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Joined '{invitation.HoomiName}' (invited by {invitation.InvitedByUserName}).");
        Env.Out.WriteLine(invitation.HoomiId.ToString());
        return 0;
    }
}

[Description("Decline an invitation to a hoomi.")]
public sealed class DeclineInvitationCommand(CliEnvironment env) : HoomiCommand<InvitationSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, InvitationSettings settings, CancellationToken cancellationToken)
    {
        var invitation = await Invitations.ResolveAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        await client.DeclineInvitationAsync(invitation.HoomiId, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Declined the invitation to '{invitation.HoomiName}'.");
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
