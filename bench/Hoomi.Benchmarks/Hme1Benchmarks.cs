using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Hoomi.Client.Crypto;

namespace Hoomi.Benchmarks;

/// <summary>Throughput of the HME1 streams with the default 64 KiB segments over a 64 MiB payload, in memory.</summary>
[MemoryDiagnoser]
public class Hme1Benchmarks
{
    private const int PayloadLength = 64 * 1024 * 1024;
    private const int WriteChunk = 1024 * 1024;

    private readonly byte[] _fileKey = RandomNumberGenerator.GetBytes(32);
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _output = [];
    private byte[] _readBuffer = [];

    /// <summary>Cores that seal or open segments at once (1: the one-core figure the target compares with openssl).</summary>
    [Params(1, 2)]
    public int Parallelism { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = RandomNumberGenerator.GetBytes(PayloadLength);
        _ciphertext = Hme1.Encrypt(_plaintext, _fileKey, Hme1Purpose.Content);
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
        long total = 0;
        int n;
        while ((n = reader.Read(_readBuffer, 0, _readBuffer.Length)) > 0)
        {
            total += n;
        }

        return total;
    }
}
