using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Surveillance.Tests.Https;

/// <summary>
/// A TLS ClientHello written byte by byte (RFC 5246 §7.4.1.2), so that a test can offer what no
/// modern TLS library lets a client offer — TLS 1.0, or only CBC cipher suites — and read what
/// the server answers: a ServerHello, an alert, or a closed connection.
/// </summary>
public static class RawClientHello
{
    public const ushort Ssl30 = 0x0300, Tls10 = 0x0301, Tls11 = 0x0302, Tls12 = 0x0303;

    /// <summary>Suites of TLS 1.0/1.1 (CBC with SHA-1, static RSA, 3DES).</summary>
    public static readonly ushort[] LegacySuites = [0xC009, 0xC013, 0xC00A, 0xC014, 0x002F, 0x0035, 0x000A];

    /// <summary>Every CBC suite of TLS 1.2 (SHA-1 and SHA-2 MACs), with and without ECDHE, and 3DES.</summary>
    public static readonly ushort[] CbcSuites = [0xC009, 0xC00A, 0xC023, 0xC024, 0xC013, 0xC014, 0xC027, 0xC028, 0x002F, 0x0035, 0x003C, 0x003D, 0x000A];

    /// <summary>ECDHE with AES-GCM, ECDSA and RSA certificates: what a modern TLS 1.2 client offers.</summary>
    public static readonly ushort[] AeadSuites = [0xC02B, 0xC02F, 0xC02C, 0xC030];

    public enum Outcome { ServerHello, Alert, Closed }

    /// <summary>The server's answer: its record type, and the ServerHello's version or the alert's description.</summary>
    public sealed record Answer(Outcome Outcome, int Detail);

    public static async Task<Answer> SendAsync(int port, ushort version, ushort[] suites)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Build(version, suites));
        var header = new byte[5];
        if (!await ReadExactlyAsync(stream, header))
        {
            return new Answer(Outcome.Closed, 0);
        }

        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3))];
        if (!await ReadExactlyAsync(stream, body))
        {
            return new Answer(Outcome.Closed, 0);
        }

        return header[0] switch
        {
            0x16 when body[0] == 0x02 => new Answer(Outcome.ServerHello, BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(4))),
            0x15 => new Answer(Outcome.Alert, body[1]),
            _ => throw new InvalidDataException($"Unexpected TLS record type {header[0]}."),
        };
    }

    private static async Task<bool> ReadExactlyAsync(NetworkStream stream, byte[] buffer)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return false;
        }
    }

    private static byte[] Build(ushort version, ushort[] suites)
    {
        var extensions = new List<byte>();
        Extension(extensions, 0x000A, [0x00, 0x06, 0x00, 0x1D, 0x00, 0x17, 0x00, 0x18]);            // supported_groups: x25519, P-256, P-384
        Extension(extensions, 0x000B, [0x01, 0x00]);                                                  // ec_point_formats: uncompressed
        Extension(extensions, 0x000D, [0x00, 0x0A, 0x04, 0x03, 0x05, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x01]); // signature_algorithms
        Extension(extensions, 0xFF01, [0x00]);                                                        // renegotiation_info (empty)

        var hello = new List<byte>();
        U16(hello, version);
        hello.AddRange(RandomNumberGenerator.GetBytes(32));
        hello.Add(0);                                                                                 // no session id
        U16(hello, (ushort)(suites.Length * 2));
        foreach (var suite in suites)
        {
            U16(hello, suite);
        }

        hello.AddRange([0x01, 0x00]);                                                                 // compression: null only
        U16(hello, (ushort)extensions.Count);
        hello.AddRange(extensions);

        var handshake = new List<byte> { 0x01, 0, (byte)(hello.Count >> 8), (byte)hello.Count };
        handshake.AddRange(hello);
        var record = new List<byte> { 0x16 };
        U16(record, version == Ssl30 ? Ssl30 : Tls10);                                               // record version as real clients send it
        U16(record, (ushort)handshake.Count);
        record.AddRange(handshake);
        return [.. record];
    }

    private static void Extension(List<byte> to, ushort type, byte[] data)
    {
        U16(to, type);
        U16(to, (ushort)data.Length);
        to.AddRange(data);
    }

    private static void U16(List<byte> to, ushort value)
    {
        to.Add((byte)(value >> 8));
        to.Add((byte)value);
    }
}
