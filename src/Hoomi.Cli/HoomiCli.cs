using Hoomi.Cli.Commands;
using Spectre.Console.Cli;

namespace Hoomi.Cli;

/// <summary>The <c>hoomi</c> command line: its commands, and one entry point that tests call in-process.</summary>
public static class HoomiCli
{
    public static Task<int> RunAsync(IEnumerable<string> args, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(env);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("hoomi");
            config.Settings.Registrar.RegisterInstance(env);
            config.ConfigureConsole(env.Console);
            config.AddCommand<RegisterCommand>("register").WithExample("register", "me@example.com");
            config.AddCommand<LoginCommand>("login").WithExample("login", "me@example.com", "--password-stdin");
            config.AddCommand<LogoutCommand>("logout");
            config.AddBranch("keys", keys =>
            {
                keys.SetDescription("This device's key.");
                keys.AddCommand<KeysInitCommand>("init");
                keys.AddCommand<KeysShowCommand>("show");
                keys.AddCommand<KeysRevokeCommand>("revoke").WithExample("keys", "revoke", "--yes");
            });
            config.AddBranch("identity", identity =>
            {
                identity.SetDescription("Your identity key, which certifies your devices.");
                identity.AddCommand<IdentityExportCommand>("export").WithExample("identity", "export", "identity.p8");
                identity.AddCommand<IdentityImportCommand>("import").WithExample("identity", "import", "identity.p8");
            });
            config.AddCommand<VerifyCommand>("verify").WithExample("verify", "bob@example.com");
            config.AddBranch("hoomi", hoomi =>
            {
                hoomi.SetDescription("Hoomis and their members.");
                hoomi.AddCommand<CreateHoomiCommand>("create");
                hoomi.AddCommand<ListHoomisCommand>("list");
                hoomi.AddCommand<MembersCommand>("members");
                hoomi.AddCommand<AddMemberCommand>("add-member");
                hoomi.AddCommand<RemoveMemberCommand>("remove-member");
            });
            config.AddCommand<InvitationsCommand>("invitations");
            config.AddCommand<AcceptInvitationCommand>("accept").WithExample("accept", "Family");
            config.AddCommand<DeclineInvitationCommand>("decline").WithExample("decline", "Family");
            config.AddCommand<UploadCommand>("upload").WithExample("upload", "photo.jpg", "--to", "Family").WithExample("upload", "clip.mp4", "--to", "Family", "--thumbnail", "clip.jpg");
            config.AddCommand<DownloadCommand>("download").WithExample("download", "0193f2a4-0000-7000-8000-000000000000", "-o", "photo.jpg");
            config.AddCommand<ForwardCommand>("forward").WithExample("forward", "0193f2a4-0000-7000-8000-000000000000", "--to", "Friends");
            config.AddCommand<ListMediaCommand>("ls");
            config.AddCommand<RemoveMediaCommand>("rm");
            config.AddCommand<ShareKeysCommand>("share-keys");
            config.AddCommand<WatchCommand>("watch").WithExample("watch", "Family", "--json");
        });
        return app.RunAsync(args.Select(KeyIdArgument.Protect), cancellationToken);
    }
}
