namespace Hoomi.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Counts what the client receives (response body bytes, per request) and lets a test act just before a request
/// goes out, e.g. to change the hoomi's keys between the client's member read and its upload.
/// </summary>
public sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private long _bodyBytes;

    public long BodyBytes => Interlocked.Read(ref _bodyBytes);

    public List<string> Requests { get; } = [];

    public Func<HttpRequestMessage, Task>? BeforeSend { get; set; }

    public void Reset()
    {
        Interlocked.Exchange(ref _bodyBytes, 0);
        lock (Requests)
        {
            Requests.Clear();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (BeforeSend is { } hook)
        {
            await hook(request);
        }

        lock (Requests)
        {
            Requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath}{(request.Headers.Range is { } r ? " " + r : "")}");
        }

        var response = await base.SendAsync(request, cancellationToken);
        var original = response.Content;
        var counted = new StreamContent(new CountingStream(await original.ReadAsStreamAsync(cancellationToken), n => Interlocked.Add(ref _bodyBytes, n)));
        foreach (var header in original.Headers)
        {
            counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = counted;
        return response;
    }

    private sealed class CountingStream(Stream inner, Action<int> count) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count1)
        {
            var n = inner.Read(buffer, offset, count1);
            count(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            count(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count1, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count1), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count1) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
