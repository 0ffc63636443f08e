package dev.nsunit.testing;

import java.net.ServerSocket;

/**
 * A server in a process of its own: listens on a TCP port (all addresses, IPv4 and IPv6), prints
 * {@value #READY} once it does, and holds the port until it is killed. Start it with
 * {@link JavaProcess#command(Class, String...)}, e.g. in a namespace, to test socket owners or
 * what a killed test JVM leaves behind.
 */
public final class ListenMain {
  /** The line printed once the port is bound and listening. */
  public static final String READY = "ready";

  private ListenMain() {}

  /** Listens on port {@code args[0]}, prints {@value #READY}, then sleeps until killed. */
  public static void main(String[] args) throws Exception {
    try (ServerSocket s = new ServerSocket(Integer.parseInt(args[0]))) {
      System.out.println(READY);
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
