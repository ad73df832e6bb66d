package dev.expandcontract.spring.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder in front of a database server that a test cuts and reopens: cut, connecting is
 * refused and every open connection breaks, as when the network to the database goes away. The
 * shared servers themselves are never stopped.
 */
final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private ServerSocket server;

  /** A proxy for the server of {@code jdbcUrl}, cut until {@link #open()}. */
  TcpProxy(String jdbcUrl) {
    URI target = URI.create(jdbcUrl.substring("jdbc:".length()));
    this.targetHost = target.getHost();
    this.targetPort = target.getPort();
    try (ServerSocket free = new ServerSocket(0)) {
      this.port = free.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code jdbcUrl} with this proxy in place of the server. */
  String proxied(String jdbcUrl) {
    return jdbcUrl.replace(targetHost + ":" + targetPort, "127.0.0.1:" + port);
  }

  synchronized void open() {
    try {
      ServerSocket listening = new ServerSocket();
      listening.setReuseAddress(true);
      listening.bind(new InetSocketAddress("127.0.0.1", port));
      server = listening;
      Thread accepting = new Thread(() -> accept(listening), "tcp-proxy-accept");
      accepting.setDaemon(true);
      accepting.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** From now on connecting is refused, and every forwarded connection is broken. */
  synchronized void cut() {
    if (server != null) {
      closeQuietly(server);
      server = null;
    }
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
  }

  @Override
  public void close() {
    cut();
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      try {
        Socket client = listening.accept();
        Socket upstream = new Socket(targetHost, targetPort);
        sockets.add(client);
        sockets.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        return; // cut
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread copying =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // cut, or one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pipe");
    copying.setDaemon(true);
    copying.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
