using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Api.Tests.Realtime;

public sealed record ReceivedEvent(string Type, JsonElement Payload, long ReceivedAt)
{
    public Guid HoomiId => Payload.GetProperty("hoomiId").GetGuid();

    public string Cursor => Payload.GetProperty("cursor").GetString()!;

    public IReadOnlyList<string> FieldNames => [.. Payload.EnumerateObject().Select(p => p.Name)];
}

/// <summary>Everything one hub connection received, in order, with the time it arrived.</summary>
public sealed class EventInbox : IAsyncDisposable
{
    public static readonly string[] EventTypes = ["MediaUploaded", "MediaDeleted", "MemberAdded", "MemberRemoved", "KeysShared"];

    private readonly List<ReceivedEvent> _events = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EventInbox(HubConnection connection)
    {
        Connection = connection;
        foreach (var type in EventTypes)
        {
            connection.On<JsonElement>(type, payload =>
            {
                lock (_gate)
                {
                    _events.Add(new ReceivedEvent(type, payload.Clone(), Stopwatch.GetTimestamp()));
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            });
        }
    }

    public HubConnection Connection { get; }

    public IReadOnlyList<ReceivedEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<ReceivedEvent> About(Guid hoomiId) => [.. Events.Where(e => e.HoomiId == hoomiId)];

    /// <summary>Waits up to 10 s for an event of <paramref name="type"/> in <paramref name="hoomiId"/> that matches.</summary>
    public async Task<ReceivedEvent> WaitForAsync(string type, Guid hoomiId, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = _events.FirstOrDefault(e => e.Type == type && e.HoomiId == hoomiId && (match?.Invoke(e.Payload) ?? true));
                if (found is not null)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                Assert.Fail($"no {type} of hoomi {hoomiId} within the timeout; received: {string.Join(", ", Events.Select(e => e.Type + " " + e.Payload))}");
            }

            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)));
        }
    }

    /// <summary>Completes when the connection is closed (at once if it is already).</summary>
    public Task ClosedAsync()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        if (Connection.State == HubConnectionState.Disconnected)
        {
            closed.TrySetResult();
        }

        return closed.Task;
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
