using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Surveillance.Tests.Faults;

/// <summary>
/// A loopback TCP proxy in front of the test PostgreSQL. <see cref="Close"/> is a database outage
/// as the processes see it: open connections are reset and new ones refused, until
/// <see cref="Open"/> listens again on the same port.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private Socket? _listener;
    private CancellationTokenSource _running = new();

    private TcpProxy(IPEndPoint target) => _target = target;

    public int Port { get; private set; }

    public static TcpProxy Start(IPEndPoint target)
    {
        var proxy = new TcpProxy(target);
        proxy.Open();
        return proxy;
    }

    public void Open()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        listener.Listen(128);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _running = new CancellationTokenSource();
        _listener = listener;
        _ = AcceptAsync(listener, _running.Token);
    }

    public void Close()
    {
        _running.Cancel();
        _listener?.Close();
        _listener = null;
        foreach (var socket in _connections.Keys)
        {
            Reset(socket);
        }
    }

    public void Dispose() => Close();

    private async Task AcceptAsync(Socket listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            _ = PairAsync(client, stop);
        }
    }

    private async Task PairAsync(Socket client, CancellationToken stop)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _connections[client] = 0;
        _connections[server] = 0;
        try
        {
            await server.ConnectAsync(_target, stop);
            await Task.WhenAny(PumpAsync(client, server, stop), PumpAsync(server, client, stop));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Reset(client);
            Reset(server);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Reset(Socket socket)
    {
        _connections.TryRemove(socket, out _);
        try
        {
            socket.LingerState = new LingerOption(true, 0); // RST, as a crashed server or a cut link
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
