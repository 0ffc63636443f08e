package dev.nsunit.internal.escape;

import java.util.List;

/**
 * What one window saw.
 *
 * @param escapes the sockets this JVM opened in the watched namespace meanwhile, open ones first
 * @param namespaceInode the watched namespace's inode, for messages
 * @param privateNamespace whether only this JVM and processes it started use the namespace, so
 *     that every socket closed in it meanwhile is this JVM's
 * @param gaps why sockets that opened and closed meanwhile may be missing (events unavailable,
 *     dropped or late); empty when none may be
 * @param overlapping the labels of other windows open at the same time: what any of them ran
 *     may have opened these sockets
 * @param costNanos time spent opening and closing the window (dumps, descriptor scans, waiting for events)
 */
public record EscapeReport(List<Escape> escapes, long namespaceInode, boolean privateNamespace, List<String> gaps,
    List<String> overlapping, long costNanos) {
  /** Copies the lists. */
  public EscapeReport {
    escapes = List.copyOf(escapes);
    gaps = List.copyOf(gaps);
    overlapping = List.copyOf(overlapping);
  }
}
