using Surveillance.Errors;

namespace Surveillance.Api.Videos;

/// <summary>
/// The multipart reader reports a body that ends early or breaks its limits (header size, line
/// length) as I/O or data errors: those are the client's bad input, 400, not a server fault.
/// Only reads of the request go through here, so a failing disk still answers 500.
/// </summary>
internal sealed class ClientBodyStream(Stream inner) : Stream
{
    public static DomainException Malformed() =>
        DomainException.Validation("The multipart body is malformed or ends before its closing boundary.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw Malformed();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
