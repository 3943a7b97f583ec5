using System.IO.Compression;
using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>
/// Read-only stream that decrypts an <c>HME1</c> stream. It checks the header fields, the length rule (when the total
/// length is given) and the key commitment before releasing any plaintext, and releases a segment only after it
/// authenticated. Without a total length it reads one segment ahead to learn which segment is last.
/// A truncation or trailing data is found at the end, after earlier segments were released: callers must treat the
/// output as invalid unless the stream was read to its end without an exception.
/// </summary>
internal sealed class Hme1DecryptingStream : Stream
{
    private readonly SegmentReader _segments;
    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private bool _started;
    private bool _compressed;
    private bool _disposed;

    // Decompression uses BrotliDecoder rather than BrotliStream: BrotliStream reads ahead into its own buffer and
    // silently drops whatever follows the end of the Brotli stream, which would let extra plaintext pass unnoticed.
    private BrotliDecoder _decoder;
    private byte[] _compressedInput = [];
    private int _inputOffset;
    private int _inputCount;
    private bool _inputEnded;
    private bool _decompressionDone;
    private Hme1Exception? _failure;

    /// <param name="ciphertext">The stream positioned at the header.</param>
    /// <param name="fileKey">The 32-byte file key K.</param>
    /// <param name="purpose">Which stream of the media item this is; a wrong purpose fails the commitment.</param>
    /// <param name="ciphertextLength">The total length when known (e.g. the media's size); enables the length rule and exact truncation errors.</param>
    /// <param name="leaveOpen">Leave <paramref name="ciphertext"/> open on dispose.</param>
    /// <param name="parallelism">Cores that open segments at once when the total length is known (default: the processor count, at most 8).</param>
    public Hme1DecryptingStream(Stream ciphertext, ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, long? ciphertextLength = null, bool leaveOpen = false, int? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (!ciphertext.CanRead)
        {
            throw new ArgumentException("The ciphertext stream must be readable.", nameof(ciphertext));
        }

        if (fileKey.Length != FileKeyWrapper.FileKeyLength)
        {
            throw new ArgumentException("The file key must be 32 bytes.", nameof(fileKey));
        }

        _ = Hme1Format.PurposeLabel(purpose);
        _source = ciphertext;
        _leaveOpen = leaveOpen;
        _segments = new SegmentReader(ciphertext, fileKey.ToArray(), purpose, ciphertextLength, parallelism ?? Math.Clamp(Environment.ProcessorCount, 1, 8));
    }

    /// <summary>The header, once the first read has checked it.</summary>
    public Hme1Header? Header => _segments.Header;

    /// <summary>The plaintext length of an uncompressed stream whose total length was given, once the header was read.</summary>
    public long? PlaintextLength => _segments.Header is { IsCompressed: false } ? _segments.PlaintextLength : null;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Reads and checks the header and commitment without releasing plaintext.</summary>
    public void ReadHeader() => RunSync(EnsureStartedAsync(useAsync: false, CancellationToken.None));

    public async ValueTask ReadHeaderAsync(CancellationToken cancellationToken = default) =>
        await EnsureStartedAsync(useAsync: true, cancellationToken).ConfigureAwait(false);

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        ObjectDisposedException.ThrowIf(_disposed, this);
        RunSync(EnsureStartedAsync(useAsync: false, CancellationToken.None));
        // An array can go to the workers: whole segments are opened straight into it.
        return _compressed ? Read(buffer.AsSpan(offset, count)) : RunSync(_segments.ReadIntoAsync(buffer.AsMemory(offset, count), useAsync: false, CancellationToken.None));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RunSync(EnsureStartedAsync(useAsync: false, CancellationToken.None));
        if (!_compressed)
        {
            return buffer.IsEmpty ? 0 : _segments.Read(buffer);
        }

        while (true)
        {
            if (_inputCount == 0 && !_inputEnded && !_decompressionDone)
            {
                _inputOffset = 0;
                _inputCount = _segments.Read(_compressedInput);
                _inputEnded = _inputCount == 0;
            }

            var written = DecompressStep(buffer, out var needsInput);
            if (written > 0 || !needsInput)
            {
                if (_decompressionDone)
                {
                    RunSync(EnsureDrainedAsync(useAsync: false, CancellationToken.None));
                }

                return written;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnsureStartedAsync(useAsync: true, cancellationToken).ConfigureAwait(false);
        if (!_compressed)
        {
            return await _segments.ReadIntoAsync(buffer, useAsync: true, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            if (_inputCount == 0 && !_inputEnded && !_decompressionDone)
            {
                _inputOffset = 0;
                _inputCount = await _segments.ReadAsync(_compressedInput, cancellationToken).ConfigureAwait(false);
                _inputEnded = _inputCount == 0;
            }

            var written = DecompressStep(buffer.Span, out var needsInput);
            if (written > 0 || !needsInput)
            {
                if (_decompressionDone)
                {
                    await EnsureDrainedAsync(useAsync: true, cancellationToken).ConfigureAwait(false);
                }

                return written;
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _decoder.Dispose();
            _segments.Dispose();
            if (!_leaveOpen)
            {
                _source.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Blocks on a ValueTask from the shared sync/async code path; with useAsync false every await inside completed
    /// synchronously, so this never blocks a thread on real asynchronous work.
    /// </summary>
    internal static void RunSync(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        task.AsTask().GetAwaiter().GetResult();
    }

    internal static T RunSync<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private async ValueTask EnsureStartedAsync(bool useAsync, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        if (_started)
        {
            return;
        }

        var header = await _segments.EnsureHeaderAsync(useAsync, cancellationToken).ConfigureAwait(false);
        if (header.IsCompressed)
        {
            _compressed = true;
            _decoder = new BrotliDecoder();
            _compressedInput = new byte[header.SegmentSize];
        }

        _started = true;
    }

    /// <summary>Decompresses what input there is; needsInput says the caller must feed more before anything comes out.</summary>
    private int DecompressStep(Span<byte> destination, out bool needsInput)
    {
        ThrowIfFailed();
        needsInput = false;
        if (_decompressionDone || destination.IsEmpty)
        {
            return 0;
        }

        var status = _decoder.Decompress(_compressedInput.AsSpan(_inputOffset, _inputCount), destination, out var consumed, out var written);
        _inputOffset += consumed;
        _inputCount -= consumed;
        switch (status)
        {
            case System.Buffers.OperationStatus.Done:
                _decompressionDone = true;
                if (_inputCount > 0)
                {
                    throw Failed(Hme1Error.InvalidCompressedData);
                }

                return written;
            case System.Buffers.OperationStatus.NeedMoreData:
                if (_inputEnded)
                {
                    throw Failed(Hme1Error.InvalidCompressedData);
                }

                needsInput = written == 0;
                return written;
            case System.Buffers.OperationStatus.DestinationTooSmall:
                return written;
            default:
                throw Failed(Hme1Error.InvalidCompressedData);
        }
    }

    /// <summary>After the Brotli stream ended, the rest of the plaintext must be empty and the last segment verified.</summary>
    private async ValueTask EnsureDrainedAsync(bool useAsync, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        var extra = useAsync
            ? await _segments.ReadAsync(probe, cancellationToken).ConfigureAwait(false)
            : _segments.Read(probe);
        if (extra > 0)
        {
            throw Failed(Hme1Error.InvalidCompressedData);
        }
    }

    private Hme1Exception Failed(Hme1Error error)
    {
        _failure = Hme1Format.Fail(error);
        return _failure;
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw _failure;
        }
    }

    /// <summary>Decrypts segments in order, releasing each only after it authenticated.</summary>
    private sealed class SegmentReader : Stream
    {
        private readonly Stream _source;
        private readonly Hme1Purpose _purpose;
        private long? _ciphertextLength;
        private byte[]? _fileKey;
        private int _headerLength;
        private long _readableLength = long.MaxValue;
        private Hme1SegmentCipher? _cipher;
        private Hme1Exception? _failure;
        private int _segmentSize;
        private int _stride;
        private long _segmentCount;
        private byte[] _current = [];
        private byte[] _next = [];
        private int _nextLength;
        private bool _primed;
        private byte[] _plain = [];
        private readonly byte[] _tag = new byte[Hme1Format.TagLength];
        private int _plainOffset;
        private int _plainCount;
        private long _index;
        private bool _finished;

        private readonly int _parallelism;
        private int _batch = 1;

        // Parallel, known length: the next batch's ciphertext, read while the current one is opened on the workers.
        private byte[] _ahead = [];
        private bool _aheadReady;
        private Hme1Exception? _aheadFailure;

        public SegmentReader(Stream source, byte[] fileKey, Hme1Purpose purpose, long? ciphertextLength, int parallelism)
        {
            _parallelism = parallelism;
            _source = source;
            _fileKey = fileKey;
            _purpose = purpose;
            _ciphertextLength = ciphertextLength;
        }

        public Hme1Header? Header { get; private set; }

        public long? PlaintextLength { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => RunSync(ReadIntoAsync(buffer.AsMemory(offset, count), useAsync: false, CancellationToken.None));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty || !RunSync(EnsurePlaintextAsync(useAsync: false, CancellationToken.None)))
            {
                return 0;
            }

            return CopyOut(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ReadIntoAsync(buffer, useAsync: true, cancellationToken);

        /// <summary>
        /// Reads plaintext into <paramref name="buffer"/>: when nothing is pending and the buffer holds the next batch's
        /// whole plaintext (and no padding), the segments are opened straight into it; otherwise through the segment buffer.
        /// </summary>
        public async ValueTask<int> ReadIntoAsync(Memory<byte> buffer, bool useAsync, CancellationToken cancellationToken)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            await EnsureHeaderAsync(useAsync, cancellationToken).ConfigureAwait(false);
            if (_plainCount == 0 && !_finished && DirectLength(buffer.Length) is > 0 and var direct)
            {
                try
                {
                    await DecryptNextAsync(buffer[..direct], useAsync, cancellationToken).ConfigureAwait(false);
                }
                catch (Hme1Exception e)
                {
                    _failure = e;
                    throw;
                }

                return direct;
            }

            if (!await EnsurePlaintextAsync(useAsync, cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            return CopyOut(buffer.Span);
        }

        /// <summary>The next batch's plaintext length when it can be opened straight into a buffer of <paramref name="room"/> bytes, else 0.</summary>
        private int DirectLength(int room)
        {
            if (_ciphertextLength is not { } total || _segmentCount == 0)
            {
                return 0;
            }

            var (count, last, lastLength) = NextBatch(_index, total);
            var plain = (long)(count - 1) * _segmentSize + lastLength - Hme1Format.TagLength;
            return plain > 0 && plain <= room && (_index * (long)_segmentSize) + plain <= _readableLength && (last || lastLength == _stride) ? (int)plain : 0;
        }

        /// <summary>The batch starting at segment <paramref name="first"/>: its segment count, whether it ends the stream, and its last segment's ciphertext length.</summary>
        private (int Count, bool Last, int LastLength) NextBatch(long first, long total)
        {
            var count = (int)Math.Min(_batch, _segmentCount - first);
            var last = first + count == _segmentCount;
            var lastLength = last ? (int)(total - _headerLength - ((_segmentCount - 1) * _stride)) : _stride;
            return (count, last, lastLength);
        }

        public async ValueTask<Hme1Header> EnsureHeaderAsync(bool useAsync, CancellationToken cancellationToken)
        {
            ThrowIfFailed();
            if (Header is not null)
            {
                return Header;
            }

            try
            {
                return await ReadHeaderAsync(useAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (Hme1Exception e)
            {
                _failure = e;
                throw;
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cipher?.Dispose();
                CryptographicOperations.ZeroMemory(_plain);
                if (_fileKey is not null)
                {
                    CryptographicOperations.ZeroMemory(_fileKey);
                }
            }

            base.Dispose(disposing);
        }

        private int CopyOut(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _plainCount);
            _plain.AsSpan(_plainOffset, n).CopyTo(buffer);
            _plainOffset += n;
            _plainCount -= n;
            return n;
        }

        private void ThrowIfFailed()
        {
            // Once refused, the stream stays refused: a caller retrying a read must not get past a failed check.
            if (_failure is not null)
            {
                throw _failure;
            }
        }

        private async ValueTask<bool> EnsurePlaintextAsync(bool useAsync, CancellationToken cancellationToken)
        {
            await EnsureHeaderAsync(useAsync, cancellationToken).ConfigureAwait(false);
            while (_plainCount == 0)
            {
                if (_finished)
                {
                    return false;
                }

                try
                {
                    await DecryptNextAsync(Memory<byte>.Empty, useAsync, cancellationToken).ConfigureAwait(false);
                }
                catch (Hme1Exception e)
                {
                    _failure = e;
                    throw;
                }
            }

            return true;
        }

        private async ValueTask<Hme1Header> ReadHeaderAsync(bool useAsync, CancellationToken cancellationToken)
        {
            var first = new byte[8];
            var read = await FillAsync(first, useAsync, cancellationToken).ConfigureAwait(false);
            if (Hme1Format.CheckFixedHeader(first.AsSpan(0, read)) is { } error)
            {
                throw Hme1Format.Fail(error);
            }

            _headerLength = Hme1Format.HeaderLengthOf(first[4]);
            var bytes = new byte[_headerLength];
            first.CopyTo(bytes, 0);
            read += await FillAsync(bytes.AsMemory(8), useAsync, cancellationToken).ConfigureAwait(false);
            if (read < _headerLength)
            {
                throw Hme1Format.Fail(Hme1Error.Truncated);
            }

            var header = new Hme1Header(bytes);
            _segmentSize = header.SegmentSize;
            _stride = _segmentSize + Hme1Format.TagLength;
            long segmented = 0;
            if (_ciphertextLength is { } total)
            {
                if (!Hme1Format.TryPlaintextLength(total, _segmentSize, _headerLength, out segmented))
                {
                    throw Hme1Format.Fail(Hme1Error.InvalidLength);
                }

                PlaintextLength = segmented;
                _segmentCount = Hme1Format.SegmentCount(segmented, _segmentSize);
            }

            _cipher = Hme1SegmentCipher.CreateVerified(_fileKey, _purpose, bytes);
            CryptographicOperations.ZeroMemory(_fileKey);
            _fileKey = null;

            if (header.Version == Hme1Format.Version2)
            {
                // The sealed length says where the data ends and, with the padding rule, where the stream ends.
                var length = _cipher.OpenLength(bytes);
                var padded = header.IsPadded ? Hme1Format.Padme(length) : length;
                if (_ciphertextLength is not null && padded != segmented)
                {
                    throw Hme1Format.Fail(Hme1Error.InvalidSealedLength);
                }

                _ciphertextLength = Hme1Format.CiphertextLengthV2(padded, _segmentSize);
                _segmentCount = Hme1Format.SegmentCount(padded, _segmentSize);
                _readableLength = length;
                PlaintextLength = length;
            }

            // With a known length, segments are read and opened in batches of about 1 MiB, on several cores.
            _batch = _ciphertextLength is null || _parallelism <= 1 ? 1 : (int)Math.Clamp(Math.Min(_segmentCount, (1 << 20) / _segmentSize), 1, 64);
            if (_batch > 1)
            {
                _cipher.EnsureWorkers(_parallelism);
            }

            // With a known length, one core opens segments in place in the caller's buffer and may never need these two.
            if (_ciphertextLength is null)
            {
                EnsureCurrent();
                EnsurePlain();
            }

            _ahead = _batch > 1 ? new byte[_batch * _stride] : [];
            _next = _ciphertextLength is null ? new byte[_stride] : [];
            Header = header;
            return header;
        }

        /// <summary>
        /// Opens the next segment (or batch) into <paramref name="destination"/> when given (its exact plaintext length,
        /// checked by <see cref="DirectLength"/>), else into the segment buffer.
        /// </summary>
        private async ValueTask DecryptNextAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken)
        {
            int length;
            bool last;
            if (_ciphertextLength is { } total)
            {
                var (count, isLast, lastLength) = NextBatch(_index, total);
                last = isLast;
                length = ((count - 1) * _stride) + lastLength;
                if (count == 1 && !destination.IsEmpty && !_aheadReady && _batch == 1)
                {
                    // One core, straight into the caller's buffer: the segment's ciphertext is read there and opened in
                    // place, its tag read aside, so no byte is copied twice.
                    await ReadInPlaceAsync(destination, lastLength - Hme1Format.TagLength, last, useAsync, cancellationToken).ConfigureAwait(false);
                    _index++;
                    _finished = last;
                    return;
                }

                EnsureCurrent();
                if (_aheadReady)
                {
                    // Read during the previous batch; a truncation found then is reported now, where the reader reaches it.
                    _aheadReady = false;
                    (_current, _ahead) = (_ahead, _current);
                    if (_aheadFailure is { } failure)
                    {
                        throw failure;
                    }
                }
                else
                {
                    await ReadBatchAsync(_current, length, last, useAsync, cancellationToken).ConfigureAwait(false);
                }

                if (count > 1)
                {
                    var target = destination.IsEmpty ? EnsurePlain().AsMemory() : destination;
                    var first = _index;
                    var sealedBytes = _current;
                    var opening = Task.Run(() => _cipher!.DecryptBatch(first, count, last, sealedBytes, _segmentSize, lastLength, target), CancellationToken.None);
                    try
                    {
                        if (!last)
                        {
                            // While the workers open this batch, the next one's ciphertext is read.
                            var (nextCount, nextLast, nextLastLength) = NextBatch(_index + count, total);
                            try
                            {
                                await ReadBatchAsync(_ahead, ((nextCount - 1) * _stride) + nextLastLength, nextLast, useAsync, cancellationToken).ConfigureAwait(false);
                                _aheadFailure = null;
                            }
                            catch (Hme1Exception e)
                            {
                                _aheadFailure = e;
                            }

                            _aheadReady = true;
                        }
                    }
                    finally
                    {
                        // Even when the read failed: the workers write into the destination until they finish.
                        if (useAsync)
                        {
                            await opening.ConfigureAwait(false);
                        }
                        else
                        {
                            opening.GetAwaiter().GetResult();
                        }
                    }

                    if (destination.IsEmpty)
                    {
                        _plainOffset = 0;
                        _plainCount = length - (count * Hme1Format.TagLength);
                        ClampToReadable();
                    }

                    _index += count;
                    _finished = last;
                    return;
                }
            }
            else
            {
                if (!_primed)
                {
                    _nextLength = await FillAsync(_next, useAsync, cancellationToken).ConfigureAwait(false);
                    _primed = true;
                }

                (_current, _next) = (_next, _current);
                length = _nextLength;
                if (length == _stride)
                {
                    _nextLength = await FillAsync(_next, useAsync, cancellationToken).ConfigureAwait(false);
                    last = _nextLength == 0;
                }
                else
                {
                    last = true;
                }

                if (length == 0)
                {
                    throw Hme1Format.Fail(Hme1Error.Truncated);
                }

                // A last segment of 1..15 bytes, or an empty last segment after full ones, is a length no L explains.
                if (length < Hme1Format.TagLength || (last && length == Hme1Format.TagLength && _index > 0))
                {
                    throw Hme1Format.Fail(Hme1Error.InvalidLength);
                }
            }

            if (!destination.IsEmpty)
            {
                _cipher!.Decrypt(_index, last, _current.AsSpan(0, length), destination.Span);
            }
            else
            {
                _cipher!.Decrypt(_index, last, _current.AsSpan(0, length), EnsurePlain());
                _plainOffset = 0;
                _plainCount = length - Hme1Format.TagLength;
                ClampToReadable();
            }

            _index++;
            _finished = last;
        }

        /// <summary>Version 2: what lies past the sealed length is padding, all zero, and never released.</summary>
        private void ClampToReadable()
        {
            var start = _index * (long)_segmentSize;
            if (start + _plainCount > _readableLength)
            {
                // Version 2: what lies past the sealed length is padding, all zero, and never released.
                var readable = (int)Math.Max(0, _readableLength - start);
                if (_plain.AsSpan(readable, _plainCount - readable).ContainsAnyExcept((byte)0))
                {
                    CryptographicOperations.ZeroMemory(_plain);
                    _plainCount = 0;
                    throw Hme1Format.Fail(Hme1Error.InvalidPadding);
                }

                _plainCount = readable;
            }
        }

        private byte[] EnsureCurrent() => _current.Length > 0 ? _current : _current = new byte[_batch * _stride];

        private byte[] EnsurePlain() => _plain.Length > 0 ? _plain : _plain = new byte[_batch * _segmentSize];

        private async ValueTask ReadInPlaceAsync(Memory<byte> destination, int plainLength, bool last, bool useAsync, CancellationToken cancellationToken)
        {
            var data = destination[..plainLength];
            try
            {
                var tag = _tag.AsMemory();
                if (await FillAsync(data, useAsync, cancellationToken).ConfigureAwait(false) < plainLength
                    || await FillAsync(tag, useAsync, cancellationToken).ConfigureAwait(false) < Hme1Format.TagLength)
                {
                    throw Hme1Format.Fail(Hme1Error.Truncated);
                }

                if (last && await FillAsync(new byte[1], useAsync, cancellationToken).ConfigureAwait(false) > 0)
                {
                    throw Hme1Format.Fail(Hme1Error.TrailingData);
                }

                _cipher!.DecryptInPlace(_index, last, data.Span, tag.Span);
            }
            catch
            {
                // Ciphertext (or, on a failed tag, nothing) is left: clear it all the same.
                CryptographicOperations.ZeroMemory(data.Span);
                throw;
            }
        }

        /// <summary>Reads a batch of exactly <paramref name="length"/> ciphertext bytes; for the last batch, the stream must end there.</summary>
        private async ValueTask ReadBatchAsync(byte[] into, int length, bool last, bool useAsync, CancellationToken cancellationToken)
        {
            var read = await FillAsync(into.AsMemory(0, length), useAsync, cancellationToken).ConfigureAwait(false);
            if (read < length)
            {
                throw Hme1Format.Fail(Hme1Error.Truncated);
            }

            // Checked before the last segment is released, so that its plaintext is never handed out from a bad stream.
            if (last && await FillAsync(_next.Length > 0 ? _next.AsMemory(0, 1) : new byte[1], useAsync, cancellationToken).ConfigureAwait(false) > 0)
            {
                throw Hme1Format.Fail(Hme1Error.TrailingData);
            }
        }

        private async ValueTask<int> FillAsync(Memory<byte> buffer, bool useAsync, CancellationToken cancellationToken)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = useAsync
                    ? await _source.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false)
                    : _source.Read(buffer.Span[total..]);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
    }
}
