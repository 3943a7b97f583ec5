using System.Diagnostics.Metrics;

namespace Hoomi.Api.Realtime;

/// <summary>Live hub connections and events sent, on the <c>Hoomi.Realtime</c> meter (exported with the others at <c>/metrics</c>).</summary>
public sealed class RealtimeMetrics
{
    public const string MeterName = "Hoomi.Realtime";

    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _eventsSent;

    public RealtimeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _connections = meter.CreateUpDownCounter<long>("hoomi.signalr.connections", "{connection}", "Hub connections open on this instance.");
        _eventsSent = meter.CreateCounter<long>("hoomi.signalr.events_sent", "{event}", "Events sent to hub groups, by type (once per event, whatever the number of receivers).");
    }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void EventSent(string type) => _eventsSent.Add(1, new KeyValuePair<string, object?>("type", type));
}
