using System.Text.Json;
using Hoomi.Cli;
using Hoomi.EndToEnd.Tests.Infrastructure;

namespace Hoomi.EndToEnd.Tests;

/// <summary>The <c>hoomi</c> command line, run in-process with its real commands against the real API.</summary>
[TestFixture]
public sealed partial class CliEndToEndTests
{
    private ApiHost _api = null!;
    private string _work = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        _api = ApiHost.Start();
        _work = Path.Combine(Path.GetTempPath(), "hoomi-e2e-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_work);
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _api?.Dispose();
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    private sealed record CliResult(int ExitCode, string Out, string Error)
    {
        public string LastLine => Out.TrimEnd().Split('\n')[^1].Trim();
    }

    private async Task<CliResult> HoomiAsync(string home, string? stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin ?? "");
        var exit = await HoomiCli.RunAsync([.. args, "--server", _api.BaseAddress.ToString(), "--home", home], CliEnvironment.ForWriters(stdout, stderr, input));
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Adds a member as it happens on the command line: the owner runs add-member, the invitee accept.</summary>
    private async Task AddMemberAsync(string ownerHome, string hoomi, string memberHome, string memberEmail)
    {
        var invited = await HoomiAsync(ownerHome, null, "hoomi", "add-member", hoomi, memberEmail);
        AssertOk(invited);
        Assert.That(invited.Out, Does.StartWith("Invited " + memberEmail));
        AssertOk(await HoomiAsync(memberHome, null, "accept", hoomi));
    }

    private static void AssertOk(CliResult result) =>
        Assert.That(result.ExitCode, Is.Zero, $"stdout: {result.Out}\nstderr: {result.Error}");

    [Test]
    public async Task A_cli_session_uploads_a_file_that_another_member_downloads_whole_and_in_part()
    {
        var aliceHome = Path.Combine(_work, "alice");
        var alice = $"alice-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        using var bob = await TestUser.CreateAsync(_api, "bob");

        AssertOk(await HoomiAsync(aliceHome, TestUser.Password + "\n", "register", alice, "--password-stdin"));
        var keys = await HoomiAsync(aliceHome, null, "keys", "init");
        AssertOk(keys);
        var created = await HoomiAsync(aliceHome, null, "hoomi", "create", "Cli family");
        AssertOk(created);
        var hoomiId = Guid.Parse(created.LastLine);
        await AddMemberAsync(aliceHome, "Cli family", bob.HomeDirectory, bob.Email);

        var original = Path.Combine(_work, "holiday.jpg");
        var plaintext = Plaintext.WithMarker(1_000_000, "CLI-MARKER");
        await File.WriteAllBytesAsync(original, plaintext);
        var upload = await HoomiAsync(aliceHome, null, "upload", original, "--to", hoomiId.ToString());
        AssertOk(upload);
        var mediaId = Guid.Parse(upload.LastLine);

        var whole = Path.Combine(_work, "from-cli.jpg");
        AssertOk(await HoomiAsync(bob.HomeDirectory, null, "download", mediaId.ToString(), "-o", whole));
        var part = Path.Combine(_work, "part.bin");
        AssertOk(await HoomiAsync(bob.HomeDirectory, null, "download", mediaId.ToString(), "-o", part, "--range", "500000-500999"));
        var listing = await HoomiAsync(bob.HomeDirectory, null, "ls", hoomiId.ToString(), "--json");
        AssertOk(listing);

        Assert.That(keys.LastLine, Is.EqualTo(new Hoomi.Client.Storage.HoomiHome(aliceHome).GetOrCreateDeviceKey().KeyId));
        Assert.That(await File.ReadAllBytesAsync(whole), Is.EqualTo(plaintext));
        Assert.That(await File.ReadAllBytesAsync(part), Is.EqualTo(plaintext.AsSpan(500_000, 1000).ToArray()));
        using var json = JsonDocument.Parse(listing.Out);
        var item = json.RootElement.EnumerateArray().Single();
        Assert.That((item.GetProperty("id").GetGuid(), item.GetProperty("name").GetString()), Is.EqualTo((mediaId, "holiday.jpg")));
    }

    [Test]
    public async Task An_error_prints_the_problem_on_one_line_and_exits_non_zero()
    {
        using var user = await TestUser.CreateAsync(_api, "erin");

        var result = await HoomiAsync(user.HomeDirectory, null, "ls", Guid.NewGuid().ToString());

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(result.Error, Does.StartWith("error: 404 ").And.Contain("urn:hoomi:problem:not-found"));
    }

    [Test]
    public async Task Watch_prints_an_upload_as_it_happens()
    {
        using var grace = await TestUser.CreateAsync(_api, "grace");
        var hoomiId = (await grace.Client.CreateHoomiAsync("Watched")).Id;
        using var stdout = new LineSignallingWriter();
        using var stderr = new StringWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watching = HoomiCli.RunAsync(
            ["watch", hoomiId.ToString(), "--json", "--server", _api.BaseAddress.ToString(), "--home", grace.HomeDirectory],
            CliEnvironment.ForWriters(stdout, stderr), stop.Token);
        await LineSignallingWriter.ReadyAsync(stderr, "Watching").WaitAsync(TimeSpan.FromSeconds(15));

        using var content = new MemoryStream(Plaintext.WithMarker(2_000, "WATCH"));
        var media = await grace.Client.UploadAsync(hoomiId, content, new Hoomi.Client.UploadOptions("w.jpg", "image/jpeg"));
        var line = await stdout.FirstLineContaining(media.Id.ToString()).WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();

        Assert.That(await watching, Is.Zero, stderr.ToString());
        using var json = JsonDocument.Parse(line);
        Assert.That(json.RootElement.GetProperty("event").GetString(), Is.EqualTo("MediaUploaded"));
    }

    /// <summary>Collects lines under a lock, so that a test can wait for one while the command is still writing.</summary>
    private sealed class LineSignallingWriter : StringWriter
    {
        private readonly Lock _lock = new();
        private readonly List<(string Needle, TaskCompletionSource<string> Found)> _waiters = [];
        private readonly List<string> _lines = [];

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                base.WriteLine(value);
                _lines.Add(value ?? "");
                foreach (var (needle, found) in _waiters.Where(w => (value ?? "").Contains(w.Needle, StringComparison.Ordinal)))
                {
                    found.TrySetResult(value!);
                }
            }
        }

        public List<string> Lines
        {
            get
            {
                lock (_lock)
                {
                    return [.. _lines];
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }

        public Task<string> FirstLineContaining(string needle)
        {
            lock (_lock)
            {
                var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_lines.FirstOrDefault(l => l.Contains(needle, StringComparison.Ordinal)) is { } line)
                {
                    found.SetResult(line);
                }
                else
                {
                    _waiters.Add((needle, found));
                }

                return found.Task;
            }
        }

        // The command says "Watching" on stderr once it is subscribed; poll for it (stderr is written once, before any event).
        public static async Task ReadyAsync(StringWriter stderr, string marker)
        {
            while (!stderr.ToString().Contains(marker, StringComparison.Ordinal))
            {
                await Task.Delay(50);
            }
        }
    }

    [Test]
    public async Task A_download_that_fails_verification_leaves_no_file_behind()
    {
        using var frank = await TestUser.CreateAsync(_api, "frank");
        var hoomiId = (await frank.Client.CreateHoomiAsync("Tamper")).Id;
        using var content = new MemoryStream(Plaintext.WithMarker(400_000, "TAMPER"));
        var media = await frank.Client.UploadAsync(hoomiId, content, new Hoomi.Client.UploadOptions("x.jpg", "image/jpeg"));
        var blob = Directory.GetFiles(_api.BlobRoot, "*", SearchOption.AllDirectories).Single(f => f.Contains(media.Id.ToString(), StringComparison.Ordinal));
        await using (var file = File.Open(blob, FileMode.Open, FileAccess.ReadWrite))
        {
            // A flipped bit in the fourth segment: the first three decrypt (and are written) before the failure.
            file.Position = 72 + (3 * 65552) + 100;
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 1));
        }

        var target = Path.Combine(_work, "tampered.jpg");
        var result = await HoomiAsync(frank.HomeDirectory, null, "download", media.Id.ToString(), "-o", target);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain("authentication"));
        Assert.That(Directory.GetFiles(_work, "tampered*"), Is.Empty);
    }
}
