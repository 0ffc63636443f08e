package dev.nsunit.assertions;

import java.net.ServerSocket;

/** A separate process that listens on a TCP port until killed, to test socket owners. */
public final class ListenMain {
  private ListenMain() {}

  /** Listens on {@code args[0]}, prints "ready", then sleeps until killed. */
  public static void main(String[] args) throws Exception {
    try (ServerSocket s = new ServerSocket(Integer.parseInt(args[0]))) {
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
