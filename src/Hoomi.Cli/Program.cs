using Hoomi.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels the command (which deletes a partial download); a second one kills the process.
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        cancel.Cancel();
    }
};

return await HoomiCli.RunAsync(args, CliEnvironment.FromConsole(), cancel.Token).ConfigureAwait(false);
