using System.IO.Compression;
using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>Settings of an <c>HME1</c> writer.</summary>
internal sealed class Hme1WriterOptions
{
    /// <summary>log2 of the segment size, 12..24; 16 (64 KiB) as e2ee.md prescribes unless told otherwise.</summary>
    public int Log2SegmentSize { get; init; } = Hme1Format.DefaultLog2SegmentSize;

    /// <summary>Brotli-compress the plaintext first (flag 0x01); see <see cref="CompressionPolicy"/>.</summary>
    public bool Compress { get; init; }

    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Optimal;

    /// <summary>Leave the output stream open when this stream is disposed.</summary>
    public bool LeaveOpen { get; init; }

    /// <summary>
    /// The stream version: 1 (<c>hoomi-e2ee-1</c>, the default of this low-level writer) or 2 (<c>hoomi-e2ee-2</c>: the
    /// plaintext length sealed in a 96-byte header, optional padding). Version 2 needs <see cref="PlaintextLength"/>.
    /// </summary>
    public int Version { get; init; } = Hme1Format.Version;

    /// <summary>Version 2: pad the plaintext with zeros to its Padmé bucket (flag 0x02), so the length shows only the bucket.</summary>
    public bool Pad { get; init; }

    /// <summary>
    /// Version 2: the exact number of bytes the segments will carry before padding — the plaintext length, or with
    /// <see cref="Compress"/> the compressed length. The writer refuses to write more or to complete with fewer.
    /// </summary>
    public long? PlaintextLength { get; init; }

    /// <summary>
    /// How many cores seal segments at once (segments are independent; the output is the same bytes in the same order).
    /// Default: the machine's processor count, at most 8; 1 seals one segment at a time with one segment buffered.
    /// </summary>
    public int Parallelism { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>A fixed salt, for test vectors only: a salt must be fresh for every stream.</summary>
    internal byte[]? Salt { get; init; }

    /// <summary>Negative test vectors only: pad to this length instead of the rule's (a stream every reader must refuse).</summary>
    internal long? PaddedLengthForTests { get; init; }

    /// <summary>Negative test vectors only: the padding byte (readers refuse anything but zero).</summary>
    internal byte PaddingByteForTests { get; init; }
}

/// <summary>
/// Write-only stream that encrypts into <c>HME1</c>. It holds at most one segment: a full segment is sealed only once
/// more data arrives, because the last segment is sealed with a different nonce and the writer cannot know which one is
/// last until the caller completes the stream. Dispose (or <see cref="Complete"/>) writes the last segment; a stream
/// abandoned without that is a truncation any reader refuses.
/// </summary>
internal sealed class Hme1EncryptingStream : Stream
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly Segmenter _segmenter;
    private readonly Stream _input;
    private bool _completed;
    private bool _disposed;

    public Hme1EncryptingStream(Stream output, ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, Hme1WriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream must be writable.", nameof(output));
        }

        options ??= new Hme1WriterOptions();
        if (options.Log2SegmentSize is < Hme1Format.MinLog2SegmentSize or > Hme1Format.MaxLog2SegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Log2SegmentSize, "Log2SegmentSize must be in 12..24.");
        }

        var v2 = options.Version switch
        {
            Hme1Format.Version => false,
            Hme1Format.Version2 => true,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Version, "Version must be 1 or 2."),
        };
        if (v2 && options.PlaintextLength is not >= 0)
        {
            throw new ArgumentException("A version-2 stream needs its PlaintextLength before the header is written.", nameof(options));
        }

        if (!v2 && options.Pad)
        {
            throw new ArgumentException("Only version-2 streams can be padded.", nameof(options));
        }

        var header = new byte[v2 ? Hme1Format.HeaderLengthV2 : Hme1Format.HeaderLength];
        Hme1Format.Magic.CopyTo(header);
        header[4] = (byte)options.Version;
        header[5] = (byte)((options.Compress ? Hme1Format.CompressedFlag : 0) | (options.Pad ? Hme1Format.PaddedFlag : 0));
        header[6] = (byte)options.Log2SegmentSize;
        header[7] = 0;
        if (options.Salt is { } salt)
        {
            if (salt.Length != Hme1Format.SaltLength)
            {
                throw new ArgumentException("The salt must be 32 bytes.", nameof(options));
            }

            salt.CopyTo(header.AsSpan(8));
        }
        else
        {
            RandomNumberGenerator.Fill(header.AsSpan(8, Hme1Format.SaltLength));
        }

        var cipher = Hme1SegmentCipher.Create(fileKey, purpose, header, header.AsSpan(40, Hme1Format.CommitmentLength));
        long? declared = null, padded = null;
        if (v2)
        {
            declared = options.PlaintextLength!.Value;
            padded = options.PaddedLengthForTests ?? (options.Pad ? Hme1Format.Padme(declared.Value) : declared.Value);
            cipher.SealLength(declared.Value, header, header.AsSpan(Hme1Format.HeaderLength, Hme1Format.SealedLengthLength));
        }

        Header = new Hme1Header(header);
        _output = output;
        _leaveOpen = options.LeaveOpen;
        _segmenter = new Segmenter(output, header, cipher, 1 << options.Log2SegmentSize, declared, padded ?? 0, options.PaddingByteForTests, options.Parallelism);
        _input = options.Compress ? new BrotliStream(_segmenter, options.CompressionLevel, leaveOpen: true) : _segmenter;
    }

    public Hme1Header Header { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed && !_completed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        EnsureWritable();
        if (ReferenceEquals(_input, _segmenter))
        {
            // Whole segments are sealed straight from the caller's array, without a copy.
            _segmenter.WriteMemory(buffer.AsMemory(offset, count));
            return;
        }

        _input.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        _input.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        return _input.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>Flushes the segments sealed so far; the buffered segment stays, as it may still be the last one.</summary>
    public override void Flush()
    {
        if (!_disposed)
        {
            if (!_completed)
            {
                _segmenter.WritePending();
            }

            _output.Flush();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_disposed)
        {
            if (!_completed)
            {
                await _segmenter.WritePendingAsync(cancellationToken).ConfigureAwait(false);
            }

            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Seals the last segment and flushes the output; no more writes are possible.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (!ReferenceEquals(_input, _segmenter))
        {
            _input.Dispose();
        }

        _segmenter.Complete();
        _output.Flush();
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (!ReferenceEquals(_input, _segmenter))
        {
            await _input.DisposeAsync().ConfigureAwait(false);
        }

        await _segmenter.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                Complete();
            }
            catch (InvalidOperationException) when (Header.Version == Hme1Format.Version2)
            {
                // Fewer bytes than declared (the caller failed mid-copy): the last segment stays unsealed, a truncation
                // every reader refuses. Dispose must not hide the caller's own exception behind this one.
            }
            finally
            {
                _disposed = true;
                _segmenter.Dispose();
                if (!_leaveOpen)
                {
                    _output.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            try
            {
                await CompleteAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (Header.Version == Hme1Format.Version2)
            {
                // As in Dispose: an incomplete version-2 stream stays truncated.
            }
            finally
            {
                _disposed = true;
                await _segmenter.DisposeAsync().ConfigureAwait(false);
                if (!_leaveOpen)
                {
                    await _output.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        GC.SuppressFinalize(this);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The HME1 stream is complete.");
        }
    }
    /// <summary>
    /// Cuts the (possibly compressed) plaintext into segments; a stream so that BrotliStream can write into it. Whole
    /// segments are sealed straight from the caller's buffer when nothing is buffered (a copy only for the tail that may
    /// still be the last segment). With parallelism, segments are gathered in batches of about 1 MiB and a batch is
    /// sealed on several cores at once (segments are independent: each has its own nonce) while the batch sealed before
    /// it is written out, in order; memory stays at three batch buffers whatever the file's size.
    /// </summary>
    private sealed class Segmenter : Stream
    {
        private static readonly byte[] SharedZeros = new byte[1 << 16];
        private readonly Stream _output;
        private readonly byte[] _header;
        private readonly Hme1SegmentCipher _cipher;
        private readonly int _segmentSize;
        private readonly long? _declared;
        private readonly long _padded;
        private readonly int _batch;
        private readonly bool _parallel;
        private readonly byte[] _plain;
        private readonly byte[] _zeros;
        private readonly Func<int> _sealJob;
        private byte[] _sealed;
        private byte[] _pending;  // parallel: the batch sealed last, written while the next one is sealed
        private int _pendingLength;
        private long _written;
        private int _full;     // full segments in the batch before the current one
        private int _buffered; // bytes in the current segment
        private long _index;   // index of the next segment to seal
        private bool _headerWritten;
        private bool _done;

        // The batch a worker seals (fields rather than a closure, so that sealing allocates nothing per batch but the task).
        private long _jobFirst;
        private int _jobCount;
        private bool _jobFinal;
        private ReadOnlyMemory<byte> _jobPlain;
        private int _jobLastLength;

        public Segmenter(Stream output, byte[] header, Hme1SegmentCipher cipher, int segmentSize, long? declared, long padded, byte paddingByte, int parallelism)
        {
            _output = output;
            _header = header;
            _cipher = cipher;
            _segmentSize = segmentSize;
            _declared = declared;
            _padded = padded;
            // One segment per batch without parallelism; otherwise about 1 MiB, so that each core gets several segments.
            _batch = parallelism <= 1 ? 1 : Math.Clamp((1 << 20) / segmentSize, 2 * parallelism, 64);
            if (declared is not null)
            {
                // Version 2 knows its length: a small stream (a thumbnail) gets buffers of its own size, not of a batch.
                _batch = (int)Math.Min(_batch, Math.Max(1, Hme1Format.SegmentCount(padded, segmentSize)));
            }

            _parallel = _batch > 1;
            _plain = new byte[_batch * segmentSize];
            _sealed = new byte[_batch * (segmentSize + Hme1Format.TagLength)];
            _pending = _parallel ? new byte[_sealed.Length] : [];
            _zeros = paddingByte == 0 ? SharedZeros : Enumerable.Repeat(paddingByte, 1 << 16).ToArray();
            _sealJob = () => _cipher.EncryptBatch(_jobFirst, _jobCount, _jobFinal, _jobPlain, _segmentSize, _jobLastLength, _sealed);
            _cipher.EnsureWorkers(parallelism);
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => !_done;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteMemory(buffer.AsMemory(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            CountData(buffer.Length);
            WriteSpan(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            CountData(buffer.Length);
            return WriteDataAsync(buffer, useAsync: true, cancellationToken);
        }

        /// <summary>Synchronous write of a memory block, sealing whole segments from it directly when nothing is buffered.</summary>
        public void WriteMemory(ReadOnlyMemory<byte> buffer)
        {
            CountData(buffer.Length);
            Hme1DecryptingStream.RunSync(WriteDataAsync(buffer, useAsync: false, CancellationToken.None));
        }

        public void Complete() => Hme1DecryptingStream.RunSync(CompleteAsync(useAsync: false, CancellationToken.None));

        public ValueTask CompleteAsync(CancellationToken cancellationToken) => CompleteAsync(useAsync: true, cancellationToken);

        /// <summary>Writes the batch sealed last (parallel mode holds one back while the next is sealed).</summary>
        public void WritePending() => Hme1DecryptingStream.RunSync(WritePendingAsync(useAsync: false, CancellationToken.None));

        public ValueTask WritePendingAsync(CancellationToken cancellationToken) => WritePendingAsync(useAsync: true, cancellationToken);

        public override void Flush()
        {
            // BrotliStream flushes its target; the buffered segment must stay until the writer knows whether it is last.
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cipher.Dispose();
                CryptographicOperations.ZeroMemory(_plain);
                _jobPlain = default;
            }

            base.Dispose(disposing);
        }

        private async ValueTask CompleteAsync(bool useAsync, CancellationToken cancellationToken)
        {
            if (_done)
            {
                return;
            }

            for (var rest = PaddingToWrite(); rest > 0; rest -= Math.Min(rest, _zeros.Length))
            {
                await WriteDataAsync(_zeros.AsMemory(0, (int)Math.Min(rest, _zeros.Length)), useAsync, cancellationToken).ConfigureAwait(false);
            }

            await SealBufferedAsync(lastIsFinal: true, useAsync, cancellationToken).ConfigureAwait(false);
            await WritePendingAsync(useAsync, cancellationToken).ConfigureAwait(false);
            _done = true;
        }

        /// <summary>Sequential mode seals whole segments straight from a span; parallel mode copies (a span cannot go to another thread).</summary>
        private void WriteSpan(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                if (!_parallel && DirectSegments(buffer.Length) is > 0 and var segments)
                {
                    var length = _cipher.EncryptSequential(_index, segments, lastIsFinal: false, buffer, _segmentSize, _segmentSize, _sealed);
                    _index += segments;
                    WriteOut(_sealed, length);
                    buffer = buffer[(segments * _segmentSize)..];
                    continue;
                }

                if (_buffered == _segmentSize)
                {
                    Hme1DecryptingStream.RunSync(MoveOnAsync(useAsync: false, CancellationToken.None));
                }

                buffer = Append(buffer);
            }
        }

        private async ValueTask WriteDataAsync(ReadOnlyMemory<byte> buffer, bool useAsync, CancellationToken cancellationToken)
        {
            while (!buffer.IsEmpty)
            {
                if (DirectSegments(buffer.Length) is > 0 and var segments)
                {
                    await SealAsync(_index, segments, lastIsFinal: false, buffer[..(segments * _segmentSize)], _segmentSize, useAsync, cancellationToken).ConfigureAwait(false);
                    buffer = buffer[(segments * _segmentSize)..];
                    continue;
                }

                if (_buffered == _segmentSize)
                {
                    await MoveOnAsync(useAsync, cancellationToken).ConfigureAwait(false);
                }

                var before = buffer.Length;
                var rest = Append(buffer.Span);
                buffer = buffer[(before - rest.Length)..];
            }
        }

        /// <summary>
        /// When nothing is buffered and the block holds more than one segment, how many of its whole segments can be sealed
        /// in place (up to a batch, all but a last segment that nothing follows yet); else 0.
        /// </summary>
        private int DirectSegments(int length) =>
            _full != 0 || _buffered != 0 || _done || length <= _segmentSize ? 0 : Math.Min(_batch, (length - 1) / _segmentSize);

        /// <summary>More data is coming: a full current segment moves on, and a full batch is sealed (none of it is last).</summary>
        private ValueTask MoveOnAsync(bool useAsync, CancellationToken cancellationToken)
        {
            if (_full + 1 < _batch)
            {
                _full++;
                _buffered = 0;
                return ValueTask.CompletedTask;
            }

            return SealBufferedAsync(lastIsFinal: false, useAsync, cancellationToken);
        }

        /// <summary>Seals the buffered segments (the full ones and the current one) and writes them out.</summary>
        private ValueTask SealBufferedAsync(bool lastIsFinal, bool useAsync, CancellationToken cancellationToken)
        {
            if (_done)
            {
                throw new InvalidOperationException("The HME1 stream is complete.");
            }

            var count = _full + 1;
            var lastLength = _buffered;
            _full = 0;
            _buffered = 0;
            return SealAsync(_index, count, lastIsFinal, _plain.AsMemory(0, ((count - 1) * _segmentSize) + lastLength), lastLength, useAsync, cancellationToken);
        }

        /// <summary>
        /// Seals <paramref name="count"/> segments. Sequential: here, then writes them. Parallel: on the workers, while
        /// this thread writes the batch sealed before; the new batch is held back until the next one (or the end).
        /// Returns only once the plaintext is no longer read, so the caller may reuse its buffer.
        /// </summary>
        private async ValueTask SealAsync(long first, int count, bool lastIsFinal, ReadOnlyMemory<byte> plain, int lastLength, bool useAsync, CancellationToken cancellationToken)
        {
            _index = first + count;
            if (!_parallel)
            {
                var length = _cipher.EncryptSequential(first, count, lastIsFinal, plain.Span, _segmentSize, lastLength, _sealed);
                await WriteOutAsync(_sealed, length, useAsync, cancellationToken).ConfigureAwait(false);
                return;
            }

            (_jobFirst, _jobCount, _jobFinal, _jobPlain, _jobLastLength) = (first, count, lastIsFinal, plain, lastLength);
            var sealing = count == 1 ? Task.FromResult(_sealJob()) : Task.Run(_sealJob, CancellationToken.None);
            int sealedLength;
            try
            {
                await WritePendingAsync(useAsync, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Even when the write failed: the workers read the caller's buffer and write ours until they finish.
                sealedLength = useAsync ? await sealing.ConfigureAwait(false) : sealing.GetAwaiter().GetResult();
                _jobPlain = default;
            }

            (_sealed, _pending) = (_pending, _sealed);
            _pendingLength = sealedLength;
        }

        private async ValueTask WritePendingAsync(bool useAsync, CancellationToken cancellationToken)
        {
            if (_pendingLength > 0)
            {
                var length = _pendingLength;
                _pendingLength = 0;
                await WriteOutAsync(_pending, length, useAsync, cancellationToken).ConfigureAwait(false);
            }
        }

        private void WriteOut(byte[] bytes, int length)
        {
            if (!_headerWritten)
            {
                // Written with the first segment rather than in the constructor, so that constructing does no I/O.
                _output.Write(_header);
                _headerWritten = true;
            }

            _output.Write(bytes, 0, length);
        }

        private async ValueTask WriteOutAsync(byte[] bytes, int length, bool useAsync, CancellationToken cancellationToken)
        {
            if (!useAsync)
            {
                WriteOut(bytes, length);
                return;
            }

            if (!_headerWritten)
            {
                await _output.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
                _headerWritten = true;
            }

            await _output.WriteAsync(bytes.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }

        // Version 2: the data may not exceed the sealed length, and completing short of it would seal a lie.
        private void CountData(int count)
        {
            _written += count;
            if (_declared is { } l && _written > l)
            {
                throw new InvalidOperationException($"The HME1 stream was declared with {l} bytes and more were written (did the source change?).");
            }
        }

        private long PaddingToWrite()
        {
            if (_declared is not { } l)
            {
                return 0;
            }

            if (_written != l)
            {
                throw new InvalidOperationException($"The HME1 stream was declared with {l} bytes but {_written} were written (did the source change?).");
            }

            return _padded - l;
        }

        private ReadOnlySpan<byte> Append(ReadOnlySpan<byte> buffer)
        {
            if (_done)
            {
                throw new InvalidOperationException("The HME1 stream is complete.");
            }

            var taken = Math.Min(_segmentSize - _buffered, buffer.Length);
            buffer[..taken].CopyTo(_plain.AsSpan((_full * _segmentSize) + _buffered));
            _buffered += taken;
            return buffer[taken..];
        }
    }
}
