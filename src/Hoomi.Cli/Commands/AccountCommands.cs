using System.ComponentModel;
using Hoomi.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hoomi.Cli.Commands;

public sealed class AccountSettings : GlobalSettings
{
    [CommandArgument(0, "<EMAIL>")]
    [Description("The account's e-mail address (its user name).")]
    public string Email { get; init; } = "";

    [CommandOption("--password-stdin")]
    [Description("Read the password from the first line of standard input instead of prompting.")]
    public bool PasswordStdin { get; init; }
}

internal static class Passwords
{
    public static string Read(CliEnvironment env, AccountSettings settings, bool confirm) => Read(env, settings.PasswordStdin, confirm);

    public static string Read(CliEnvironment env, bool fromStdin, bool confirm)
    {
        if (fromStdin)
        {
            var line = env.In.ReadLine();
            return string.IsNullOrEmpty(line) ? throw new HoomiClientException("No password on standard input.") : line;
        }

        if (!env.Error.Profile.Capabilities.Interactive)
        {
            throw new HoomiClientException("No terminal to prompt for a password: use --password-stdin.");
        }

        var password = env.Error.Prompt(new TextPrompt<string>("Password:").Secret());
        if (confirm && env.Error.Prompt(new TextPrompt<string>("Repeat it:").Secret()) != password)
        {
            throw new HoomiClientException("The passwords differ.");
        }

        return password;
    }
}

[Description("Create an account and log in.")]
public sealed class RegisterCommand(CliEnvironment env) : HoomiCommand<AccountSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, AccountSettings settings, CancellationToken cancellationToken)
    {
        var password = Passwords.Read(Env, settings, confirm: true);
        await client.RegisterAsync(settings.Email, password, cancellationToken).ConfigureAwait(false);
        var me = await client.LoginAsync(settings.Email, password, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Registered and logged in as {me.UserName} ({me.UserId}) on {client.Server}");
        Env.Out.WriteLine("Next: hoomi keys init creates this device's key.");
        return 0;
    }
}

[Description("Log in; the tokens are kept in the home directory.")]
public sealed class LoginCommand(CliEnvironment env) : HoomiCommand<AccountSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, AccountSettings settings, CancellationToken cancellationToken)
    {
        var password = Passwords.Read(Env, settings, confirm: false);
        var me = await client.LoginAsync(settings.Email, password, cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Logged in as {me.UserName} ({me.UserId}) on {client.Server}");
        return 0;
    }
}

[Description("Log out: the server revokes every token of the account (all your devices), and this device forgets them.")]
public sealed class LogoutCommand(CliEnvironment env) : HoomiCommand<GlobalSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, GlobalSettings settings, CancellationToken cancellationToken)
    {
        if (!client.IsSignedIn)
        {
            Env.Out.WriteLine("Not logged in.");
            return 0;
        }

        var revoked = await client.LogoutAsync(cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine(revoked
            ? $"Logged out of {client.Server}: every session of the account has ended."
            : $"Logged out here; the server had already ended this session.");
        return 0;
    }
}
