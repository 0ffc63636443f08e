package dev.nsunit.oracle;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.oracle.OracleConfiguration.Api;
import dev.nsunit.oracle.OracleConfiguration.Listener;
import dev.nsunit.testing.Programs;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The sockets of one configuration, opened inside its namespace: Java sockets from a namespaced
 * thread, and python3 sockets (Java cannot set IPV6_V6ONLY) in one process started inside; python3
 * is found on PATH, and a configuration that needs it is skipped, with the reason, where it is missing.
 * {@link #close()} closes them all and waits for python to exit.
 */
final class OracleListeners implements AutoCloseable {
  /** Opens "tcp|udp,4|6,v6only,host,port,backlog" sockets, says ready, holds them until stdin closes. */
  private static final String SCRIPT = String.join("\n",
      "import socket, sys",
      "held = []",
      "for spec in sys.argv[1:]:",
      "    proto, fam, v6only, host, port, backlog = spec.split(',')",
      "    s = socket.socket(socket.AF_INET6 if fam == '6' else socket.AF_INET,",
      "                      socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)",
      "    if fam == '6':",
      "        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))",
      "    s.bind((host, int(port)))",
      "    if proto == 'tcp':",
      "        s.listen(int(backlog))",
      "    held.append(s)",
      "print('ready', flush=True)",
      "sys.stdin.read()");

  private final List<Closeable> closeables = new ArrayList<>();
  private Process python;

  private OracleListeners() {}

  /** Opens every listener of {@code listeners} in {@code ns}, then makes their pending clients. */
  static OracleListeners open(NetworkNamespace ns, List<Listener> listeners) throws Exception {
    OracleListeners out = new OracleListeners();
    try {
      List<String> specs = new ArrayList<>();
      for (Listener l : listeners) {
        switch (l.api()) {
          case JAVA_SOCKET:
          case JAVA_INET_CHANNEL:
            out.closeables.add(ns.call(() -> javaSocket(l)));
            break;
          default:
            specs.add(String.join(",", l.tcp() ? "tcp" : "udp", l.api() == Api.PYTHON_INET6 ? "6" : "4",
                l.v6only() ? "1" : "0", l.host(), Integer.toString(l.port()), Integer.toString(l.backlog())));
        }
      }
      if (!specs.isEmpty()) {
        out.startPython(ns, specs);
      }
      for (Listener l : listeners) {
        if (l.pending()) {
          out.closeables.add(ns.call(() -> pendingClient(l)));
        }
      }
      return out;
    } catch (Exception | Error e) {
      out.close();
      throw e;
    }
  }

  private static Closeable javaSocket(Listener l) throws IOException {
    InetAddress host = l.host() == null ? null : InetAddresses.parse(l.host());
    if (l.api() == Api.JAVA_SOCKET) {
      return l.tcp() ? new ServerSocket(l.port(), l.backlog(), host)
          : new DatagramSocket(new InetSocketAddress(host, l.port()));
    }
    if (l.tcp()) {
      ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.INET);
      c.bind(new InetSocketAddress(host, l.port()), l.backlog());
      return c;
    }
    DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
    c.bind(new InetSocketAddress(host, l.port()));
    return c;
  }

  /** A connection nobody accepts (Recv-Q 1 on the listener) or a datagram nobody reads. */
  private static Closeable pendingClient(Listener l) throws IOException {
    InetSocketAddress target = new InetSocketAddress(InetAddresses.parse(l.pendingTarget()), l.port());
    if (l.tcp()) {
      Socket s = new Socket();
      s.connect(target);
      return s;
    }
    DatagramSocket s = new DatagramSocket();
    s.send(new DatagramPacket(new byte[] {'n', 's', 'u'}, 3, target));
    return s;
  }

  private void startPython(NetworkNamespace ns, List<String> specs) throws IOException, InterruptedException {
    // resolved here, so only the configurations that need it skip where it is missing
    String python3 = Programs.require("python3", "listeners with IPV6_V6ONLY set either way (Java cannot set it)")
        .toString();
    List<String> cmd = new ArrayList<>(List.of(python3, "-c", SCRIPT));
    cmd.addAll(specs);
    python = ns.start(new ProcessBuilder(cmd).redirectErrorStream(true));
    BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    if (!"ready".equals(first)) {
      StringBuilder rest = new StringBuilder(first == null ? "" : first);
      for (String line; (line = out.readLine()) != null; ) {
        rest.append('\n').append(line);
      }
      throw new AssertionError("python3 could not open " + specs + ": " + rest);
    }
  }

  /** Closes every socket and ends python (closing its stdin lets it exit); idempotent. */
  @Override
  public void close() {
    for (Closeable c : closeables) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing a socket twice or a reset connection is not a failure of the oracle
      }
    }
    closeables.clear();
    if (python != null) {
      try {
        python.getOutputStream().close();
        if (!python.waitFor(10, TimeUnit.SECONDS)) {
          python.destroyForcibly().waitFor();
        }
      } catch (IOException e) {
        python.destroyForcibly();
      } catch (InterruptedException e) {
        python.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      python = null;
    }
  }
}
