using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Hoomi.Api.Media;
using Hoomi.Client.Crypto;
using Microsoft.AspNetCore.Http;

namespace Hoomi.Benchmarks;

/// <summary>
/// The Api's upload body parser (<see cref="MultipartUploadParts"/>) over a prebuilt multipart/form-data body in
/// memory: metadata parsed with the Api's JSON options, the file part drained, then the thumbnail part (or the end).
/// </summary>
[MemoryDiagnoser]
public class MultipartBenchmarks
{
    // The blob store reads in 128 KiB calls (FileSystemBlobStore); drain the same way.
    private const int DrainBufferSize = 128 * 1024;
    private const int ThumbnailPlaintextLength = 24 * 1024;

    private readonly byte[] _drain = new byte[DrainBufferSize];
    private JsonSerializerOptions _json = JsonSerializerOptions.Web;
    private byte[] _body = [];
    private string _contentType = "";
    private long _fileLength;
    private long _thumbnailLength;

    /// <summary>Plaintext size of the file in KiB; the file part is its HME1 ciphertext (a little longer).</summary>
    [Params(16, 1024, 65536)]
    public int FileKiB { get; set; }

    [Params(false, true)]
    public bool Thumbnail { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        // What MediaEndpoints.Upload passes: the minimal-API JsonOptions, plus the enum converter Program.cs adds.
        var options = new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions;
        options.Converters.Add(new JsonStringEnumConverter());
        _json = options;

        using var device = DeviceKeyPair.Generate();
        var sample = UploadSample.Create(FileKiB * 1024, Thumbnail ? ThumbnailPlaintextLength : 0, device);
        (_body, _contentType) = await sample.MultipartBodyAsync();
        _fileLength = sample.Ciphertext.LongLength;
        _thumbnailLength = sample.Thumbnail?.LongLength ?? -1;

        // A benchmark of the refusal path would be worthless: Parse throws unless every part reads back in full.
        await Parse();
        await JitWarmup.UntilSettledAsync($"Parse({FileKiB} KiB, thumbnail {Thumbnail})", Parse, TimeSpan.FromSeconds(20));
    }

    [Benchmark]
    public async Task<long> Parse()
    {
        var http = new DefaultHttpContext();
        http.Request.ContentType = _contentType;
        http.Request.Body = new MemoryStream(_body, 0, _body.Length, writable: false, publiclyVisible: true);

        var parts = MultipartUploadParts.Begin(http.Request);
        var metadata = await parts.ReadMetadataAsync(_json, CancellationToken.None);
        if (metadata.Size != _fileLength || metadata.WrappedKeys is not { Count: 1 })
        {
            throw new InvalidOperationException($"The metadata came back as {metadata}.");
        }

        var file = await Drain(await parts.OpenFileAsync(CancellationToken.None));
        if (file != _fileLength)
        {
            throw new InvalidOperationException($"Read {file} bytes of the file part, expected {_fileLength}.");
        }

        var thumbnailStream = await parts.OpenThumbnailAsync(false, CancellationToken.None);
        var thumbnail = thumbnailStream is null ? -1 : await Drain(thumbnailStream);
        if (thumbnail != _thumbnailLength)
        {
            throw new InvalidOperationException($"Read {thumbnail} bytes of the thumbnail part, expected {_thumbnailLength}.");
        }

        return file;
    }

    private async Task<long> Drain(Stream stream)
    {
        await using (stream)
        {
            long total = 0;
            int n;
            while ((n = await stream.ReadAsync(_drain)) > 0)
            {
                total += n;
            }

            return total;
        }
    }
}
