using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Hoomi.Client.Crypto;

namespace Hoomi.Benchmarks;

/// <summary>
/// Throughput of the HME1 streams with the default 64 KiB segments, 64 MiB per operation, in memory, in 1 MiB calls.
/// <c>Encrypt</c>/<c>Decrypt</c>: a 64 MiB payload to and from a 64 MiB <see cref="MemoryStream"/> (every byte comes
/// from and goes to DRAM, so memory bandwidth is part of the figure). <c>EncryptHot</c>/<c>DecryptHot</c>: the way
/// `openssl speed` measures the cipher and the way a transfer feeds the stream: the caller's 1 MiB buffer stays in
/// cache (a file read or a socket buffer), the ciphertext goes to a sink that keeps nothing (as a socket hands the bytes
/// to the kernel), and the reader reads a 4 MiB ciphertext (L3-resident) 16 times.
/// </summary>
[MemoryDiagnoser]
public class Hme1Benchmarks
{
    private const int PayloadLength = 64 * 1024 * 1024;
    private const int HotLength = 4 * 1024 * 1024;
    private const int WriteChunk = 1024 * 1024;

    private readonly byte[] _fileKey = RandomNumberGenerator.GetBytes(32);
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _hotCiphertext = [];
    private byte[] _output = [];
    private byte[] _readBuffer = [];

    /// <summary>Cores that seal or open segments at once (1: sequential, the one-core figure the target compares with openssl).</summary>
    [Params(1, 2)]
    public int Parallelism { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = RandomNumberGenerator.GetBytes(PayloadLength);
        _ciphertext = Hme1.Encrypt(_plaintext, _fileKey, Hme1Purpose.Content);
        _hotCiphertext = Hme1.Encrypt(_plaintext.AsSpan(0, HotLength), _fileKey, Hme1Purpose.Content);
        _output = new byte[_ciphertext.Length];
        _readBuffer = new byte[WriteChunk];
    }

    [Benchmark]
    public long Encrypt()
    {
        // A fixed-size MemoryStream over a preallocated buffer keeps allocation out of the measurement.
        using var output = new MemoryStream(_output);
        using (var writer = new Hme1EncryptingStream(output, _fileKey, Hme1Purpose.Content, new Hme1WriterOptions { LeaveOpen = true, Parallelism = Parallelism }))
        {
            for (var offset = 0; offset < _plaintext.Length; offset += WriteChunk)
            {
                writer.Write(_plaintext, offset, WriteChunk);
            }
        }

        return output.Position;
    }

    [Benchmark]
    public long Decrypt()
    {
        using var reader = new Hme1DecryptingStream(new MemoryStream(_ciphertext, writable: false), _fileKey, Hme1Purpose.Content, _ciphertext.Length, parallelism: Parallelism);
        return Drain(reader);
    }

    [Benchmark]
    public long EncryptHot()
    {
        using var writer = new Hme1EncryptingStream(Stream.Null, _fileKey, Hme1Purpose.Content, new Hme1WriterOptions { LeaveOpen = true, Parallelism = Parallelism });
        for (var written = 0; written < PayloadLength; written += WriteChunk)
        {
            writer.Write(_plaintext, 0, WriteChunk);
        }

        writer.Complete();
        return PayloadLength;
    }

    [Benchmark]
    public long DecryptHot()
    {
        long total = 0;
        for (var i = 0; i < PayloadLength / HotLength; i++)
        {
            using var reader = new Hme1DecryptingStream(new MemoryStream(_hotCiphertext, writable: false), _fileKey, Hme1Purpose.Content, _hotCiphertext.Length, parallelism: Parallelism);
            total += Drain(reader);
        }

        return total;
    }

    private long Drain(Stream reader)
    {
        long total = 0;
        int n;
        while ((n = reader.Read(_readBuffer, 0, _readBuffer.Length)) > 0)
        {
            total += n;
        }

        return total;
    }
}
