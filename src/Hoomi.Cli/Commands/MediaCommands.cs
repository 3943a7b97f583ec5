using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Hoomi.Client;
using Hoomi.Client.Api;
using Hoomi.Client.Transfer;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hoomi.Cli.Commands;

public sealed class UploadSettings : GlobalSettings
{
    [CommandArgument(0, "<FILE>")]
    public string File { get; init; } = "";

    [CommandOption("--to <HOOMI>")]
    [Description("The hoomi (id or name).")]
    public string? To { get; init; }

    [CommandOption("--type <MIME>")]
    [Description("The MIME type to declare (default: from the file name; application/octet-stream when unknown).")]
    public string? Type { get; init; }

    [CommandOption("--name <NAME>")]
    [Description("The file name members see (default: the file's own name; sent encrypted).")]
    public string? Name { get; init; }

    [CommandOption("--thumbnail <FILE>")]
    [Description("A small preview image to upload with it (encrypted with the same key; at most 252 KiB).")]
    public string? Thumbnail { get; init; }

    [CommandOption("--no-padding")]
    [Description("Do not pad the encrypted file to its size bucket (Padmé): the server then sees the exact size.")]
    public bool NoPadding { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(To) ? ValidationResult.Error("--to HOOMI is required.") : ValidationResult.Success();
}

[Description("Encrypt a file and upload it to a hoomi; prints the new media id on the last line.")]
public sealed class UploadCommand(CliEnvironment env) : HoomiCommand<UploadSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, UploadSettings settings, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(settings.File);
        if (!File.Exists(path))
        {
            throw new HoomiClientException($"No such file: {settings.File}");
        }

        // Unknown extensions (or none) go as application/octet-stream: any file can be shared.
        var mimeType = settings.Type ?? MimeTypes.FromFileName(path);

        var hoomiId = await ResolveHoomiAsync(client, settings.To!, cancellationToken).ConfigureAwait(false);
        if (settings.Thumbnail is not null && !File.Exists(settings.Thumbnail))
        {
            throw new HoomiClientException($"No such file: {settings.Thumbnail}");
        }

        var options = new UploadOptions(settings.Name ?? Path.GetFileName(path), mimeType)
        {
            Pad = !settings.NoPadding,
            Thumbnail = settings.Thumbnail is null ? (ReadOnlyMemory<byte>?)null : await File.ReadAllBytesAsync(settings.Thumbnail, cancellationToken).ConfigureAwait(false),
        };
        var length = new FileInfo(path).Length;
        var clock = Stopwatch.StartNew();
        MediaInfo? media = null;
        await Env.Error.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                // One pass: encrypting and sending are one task (a compressed file is first counted, unreported).
                var uploading = ctx.AddTask("uploading", autoStart: false, maxValue: Math.Max(1, length));
                var progress = new InlineProgress<TransferProgress>(p =>
                {
                    var task = uploading;
                    if (!task.IsStarted)
                    {
                        task.StartTask();
                    }

                    task.Value = p.Bytes;
                });
                media = await client.UploadFileAsync(hoomiId, path, options, progress, cancellationToken).ConfigureAwait(false);
                uploading.Value = uploading.MaxValue;
            }).ConfigureAwait(false);

        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        Env.ErrorOut.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Uploaded {Output.Bytes(length)} ({Output.Bytes(media!.Size)} encrypted) in {seconds:0.0} s, {Output.Bytes(length / seconds)}/s."));
        Env.Out.WriteLine(media.Id);
        return 0;
    }
}

public sealed class DownloadSettings : GlobalSettings
{
    [CommandArgument(0, "<MEDIA>")]
    public string Media { get; init; } = "";

    [CommandOption("-o|--output <FILE>")]
    [Description("Where to write the plaintext ('-' for stdout; default: the uploader's file name in the current directory).")]
    public string? Output { get; init; }

    [CommandOption("--range <A-B>")]
    [Description("Only plaintext bytes A..B (inclusive, as in HTTP; 'A-' to the end).")]
    public string? Range { get; init; }

    [CommandOption("--thumbnail")]
    [Description("Download the item's thumbnail instead (default file: the uploader's file name with '.thumbnail' before the extension).")]
    public bool Thumbnail { get; init; }

    public override ValidationResult Validate() =>
        Thumbnail && Range is not null ? ValidationResult.Error("--thumbnail and --range do not go together.") : ValidationResult.Success();
}

[Description("Download and decrypt a media item (whole or a byte range); a failed download leaves no file behind.")]
public sealed class DownloadCommand(CliEnvironment env) : HoomiCommand<DownloadSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, DownloadSettings settings, CancellationToken cancellationToken)
    {
        var mediaId = ParseMediaId(settings.Media);
        var range = settings.Range is null ? ((long, long?)?)null : ParseRange(settings.Range);
        var info = await client.GetMediaInfoAsync(mediaId, cancellationToken).ConfigureAwait(false);
        // The member list names the people this device pins, so the sender can be shown by name.
        await client.CheckMembersAsync(info.HoomiId, cancellationToken).ConfigureAwait(false);
        if (settings.Output == "-")
        {
            var stdout = Env.OpenStandardOutput();
            await using (stdout.ConfigureAwait(false))
            {
                await TransferAsync(client, info, range, settings.Thumbnail, stdout, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }

        var name = SafeName(client, info);
        if (settings.Thumbnail)
        {
            name = Path.GetFileNameWithoutExtension(name) + ".thumbnail" + Path.GetExtension(name);
        }

        var target = Path.GetFullPath(settings.Output ?? name);
        // Written beside the target and renamed at the end: a failure (or Ctrl+C) deletes the partial file and leaves
        // any earlier file of that name untouched.
        var partial = target + ".partial";
        try
        {
            var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await TransferAsync(client, info, range, settings.Thumbnail, file, cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, target, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }

        Env.ErrorOut.WriteLine($"Saved {Output.Bytes(new FileInfo(target).Length)} to {target}, sent by {client.VerifySender(info).Describe()}");
        return 0;
    }

    private async Task TransferAsync(HoomiClient client, MediaInfo info, (long Offset, long? Count)? range, bool thumbnail, Stream destination, CancellationToken cancellationToken)
    {
        if (thumbnail)
        {
            await client.DownloadThumbnailAsync(info.Id, destination, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (range is { } r)
        {
            await client.DownloadRangeAsync(info.Id, r.Offset, r.Count, destination, cancellationToken).ConfigureAwait(false);
            return;
        }

        await Env.Error.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("downloading", maxValue: Math.Max(1, info.Size));
                var progress = new InlineProgress<TransferProgress>(p => task.Value = p.Bytes);
                await client.DownloadAsync(info.Id, destination, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private static string SafeName(HoomiClient client, MediaInfo info)
    {
        // The name comes from another user: keep only its last component so that it cannot point outside this directory.
        var name = Path.GetFileName(client.DecryptMetadata(info)?.Name ?? "");
        return string.IsNullOrWhiteSpace(name) || name is "." or ".." ? info.Id + ".bin" : name;
    }

    internal static (long Offset, long? Count) ParseRange(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !long.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var from))
        {
            throw new HoomiClientException($"Not a range: {text} (expected A-B or A-).");
        }

        if (dash == text.Length - 1)
        {
            return (from, null);
        }

        if (!long.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var to) || to < from)
        {
            throw new HoomiClientException($"Not a range: {text} (expected A-B with B >= A).");
        }

        return (from, to - from + 1);
    }
}

public sealed class ForwardSettings : GlobalSettings
{
    [CommandArgument(0, "<MEDIA>")]
    public string Media { get; init; } = "";

    [CommandOption("--to <HOOMI>")]
    [Description("The hoomi to forward to (id or name); you must be a member of both.")]
    public string? To { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(To) ? ValidationResult.Error("--to HOOMI is required.") : ValidationResult.Success();
}

[Description("Forward a media item to another hoomi without uploading it again (its key is re-wrapped for the target's members); prints the new media id on the last line.")]
public sealed class ForwardCommand(CliEnvironment env) : HoomiCommand<ForwardSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, ForwardSettings settings, CancellationToken cancellationToken)
    {
        var mediaId = ParseMediaId(settings.Media);
        var target = await ResolveHoomiAsync(client, settings.To!, cancellationToken).ConfigureAwait(false);
        var forwarded = await client.ForwardAsync(mediaId, target, cancellationToken).ConfigureAwait(false);
        Env.ErrorOut.WriteLine($"Forwarded {mediaId} to {target}.");
        Env.Out.WriteLine(forwarded.Id);
        return 0;
    }
}

[Description("List a hoomi's media, newest first, with the names only members can decrypt.")]
public sealed class ListMediaCommand(CliEnvironment env) : HoomiCommand<HoomiSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, HoomiSettings settings, CancellationToken cancellationToken)
    {
        var hoomiId = await ResolveHoomiAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        await client.CheckMembersAsync(hoomiId, cancellationToken).ConfigureAwait(false);
        var items = new List<(MediaInfo Media, string? Name, string Sender, string? Refused)>();
        await foreach (var media in client.ListAllMediaAsync(hoomiId, cancellationToken).ConfigureAwait(false))
        {
            items.Add(Check(client, hoomiId, media));
        }

        if (settings.Json)
        {
            Output.WriteJson(Env.Out, items.Select(i => new
            {
                i.Media.Id, i.Name, i.Media.MimeType, i.Media.Size, i.Media.Sha256, i.Media.UploaderId, i.Media.CreatedAt,
                sender = i.Sender, refused = i.Refused, canDecrypt = i.Name is not null,
            }));
            return 0;
        }

        var table = new Table().AddColumns("Id", "Name", "Type", "Size", "Sender", "Uploaded");
        foreach (var (media, name, sender, refused) in items)
        {
            var shown = refused is not null ? "[red]refused: " + Markup.Escape(refused) + "[/]" : name is null ? "[yellow](no key for this device)[/]" : Markup.Escape(name);
            table.AddRow(media.Id.ToString(), shown, Markup.Escape(media.MimeType), Output.Bytes(media.Size), Markup.Escape(sender), Output.Date(media.CreatedAt));
        }

        Env.Console.Write(table);
        return 0;
    }

    /// <summary>The item's name and verified sender; nothing of an item that fails its checks is shown but the reason.</summary>
    private static (MediaInfo, string?, string, string?) Check(HoomiClient client, Guid hoomiId, MediaInfo media)
    {
        if (media.HoomiId != hoomiId)
        {
            return (media, null, "?", "the server listed an item of another hoomi here");
        }

        try
        {
            var sender = client.VerifySender(media);
            if (sender.IsSigned && sender.UserName is null && media.SenderDevice is not null)
            {
                sender = sender with { UserName = client.Trust.Get(sender.UserId)?.UserName };
            }

            string? name;
            try
            {
                name = client.DecryptMetadata(media)?.Name ?? "";
            }
            catch (HoomiClientException e) when (e is not Hoomi.Client.Trust.HoomiTrustException)
            {
                name = null; // no key for this device
            }

            return (media, name, sender.Describe(), null);
        }
        catch (Hoomi.Client.Trust.HoomiTrustException e)
        {
            return (media, null, "?", e.Message);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException)
        {
            return (media, null, "?", e.Message);
        }
    }
}

public sealed class MediaSettings : GlobalSettings
{
    [CommandArgument(0, "<MEDIA>")]
    public string Media { get; init; } = "";
}

[Description("Delete a media item (its uploader or a hoomi owner).")]
public sealed class RemoveMediaCommand(CliEnvironment env) : HoomiCommand<MediaSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, MediaSettings settings, CancellationToken cancellationToken)
    {
        await client.DeleteMediaAsync(ParseMediaId(settings.Media), cancellationToken).ConfigureAwait(false);
        Env.Out.WriteLine($"Deleted {settings.Media}.");
        return 0;
    }
}

[Description("Wrap the file keys of a hoomi's media for members (or devices) that joined after the upload.")]
public sealed class ShareKeysCommand(CliEnvironment env) : HoomiCommand<HoomiSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, HoomiSettings settings, CancellationToken cancellationToken)
    {
        var hoomiId = await ResolveHoomiAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        var summary = await client.ShareKeysForHoomiAsync(hoomiId, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.WriteJson(Env.Out, summary);
            return 0;
        }

        Env.Out.WriteLine($"Checked {summary.MediaChecked} media: added {summary.KeysAdded} keys to {summary.MediaUpdated}.");
        if (summary.MediaWithoutOwnKey > 0)
        {
            Env.Out.WriteLine($"{summary.MediaWithoutOwnKey} media have no key for this device, so it cannot share theirs.");
        }

        return 0;
    }
}

public sealed class WatchSettings : JsonSettings
{
    [CommandArgument(0, "<HOOMI>")]
    [Description("A hoomi id, or the name of one of your hoomis.")]
    public string Hoomi { get; init; } = "";

    [CommandOption("--after <CURSOR>")]
    [Description("Print the events after this cursor first ('0': every event still kept). Default: after the last one printed by this home, or from now on.")]
    public string? After { get; init; }
}

[Description("Print a hoomi's events until Ctrl+C: first those missed since the last run (or --after), then live ones; catches up again after a reconnect.")]
public sealed class WatchCommand(CliEnvironment env) : HoomiCommand<WatchSettings>(env)
{
    protected override async Task<int> RunAsync(HoomiClient client, WatchSettings settings, CancellationToken cancellationToken)
    {
        var hoomiId = await ResolveHoomiAsync(client, settings.Hoomi, cancellationToken).ConfigureAwait(false);
        var after = settings.After ?? client.Home.LoadCursor(hoomiId);
        var writeLock = new Lock();
        var options = new SubscribeOptions
        {
            CatchUp = new Dictionary<Guid, string?> { [hoomiId] = after },
            OnlyCatchUpHoomis = true,
            // After the line is out: a crash between the two prints an event twice rather than never.
            OnCursor = (id, cursor) => client.Home.SaveCursor(id, cursor),
            OnNotice = n =>
            {
                var text = n switch
                {
                    { Error: { } error, State: SubscriptionState.CaughtUp } => "Catching up failed: " + error.Message,
                    { State: SubscriptionState.Reconnecting } => "Connection lost; reconnecting...",
                    { State: SubscriptionState.Reconnected } => "Reconnected; catching up.",
                    _ => n.MissedEvents > 0 ? $"Caught up on {n.MissedEvents} missed event(s)." : null,
                };
                if (text is not null)
                {
                    lock (writeLock)
                    {
                        Env.ErrorOut.WriteLine(text);
                    }
                }
            },
        };
        HoomiSubscription subscription;
        try
        {
            subscription = await SubscribeAsync(client, settings, options, writeLock, cancellationToken).ConfigureAwait(false);
        }
        catch (HoomiApiException e) when (e.Is("cursor-expired"))
        {
            throw CursorExpired(e, settings);
        }

        await using (subscription.ConfigureAwait(false))
        {
            lock (writeLock)
            {
                Env.ErrorOut.WriteLine($"Watching {hoomiId}; Ctrl+C to stop.");
            }

            try
            {
                // Ctrl+C is how watching ends (success); a subscription that cannot go on ends it with its error.
                await subscription.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
            catch (HoomiApiException e) when (e.Is("cursor-expired"))
            {
                throw CursorExpired(e, settings);
            }
        }

        return 0;
    }

    private static HoomiClientException CursorExpired(HoomiApiException e, WatchSettings settings) =>
        new(e.Message + $" Run 'hoomi watch {settings.Hoomi} --after 0' to print every event still kept.");

    private Task<HoomiSubscription> SubscribeAsync(HoomiClient client, WatchSettings settings, SubscribeOptions options, Lock writeLock, CancellationToken cancellationToken) =>
        client.SubscribeAsync(e =>
        {
            lock (writeLock)
            {
                Env.Out.WriteLine(settings.Json
                    ? new System.Text.Json.Nodes.JsonObject { ["event"] = e.Name, ["data"] = e.Data.DeepClone() }.ToJsonString()
                    : $"{DateTimeOffset.Now:HH:mm:ss} {e.Name} {Describe(e)}");
                Env.Out.Flush();
            }

            return Task.CompletedTask;
        }, options, cancellationToken);

    private static string Describe(HoomiEvent e) =>
        string.Join(' ', e.Data.Where(p => p.Key is not ("hoomiId" or "cursor")).Select(p => $"{p.Key}={p.Value?.ToJsonString().Trim('"')}"));
}
