package dev.nsunit.model;

/**
 * The identity of a network namespace. Equality uses the kernel's namespace cookie
 * (SO_NETNS_COOKIE), which is never reused during a boot; the inode is kept for display and for
 * comparing with {@code /proc/<pid>/ns/net} links, but inodes are reused once a namespace is
 * freed, so they do not decide equality.
 *
 * @param cookie the kernel's 64-bit namespace cookie
 * @param inode the nsfs inode, as in {@code net:[4026531992]}, or -1 if unknown
 */
public record NamespaceId(long cookie, long inode) {

  @Override
  public boolean equals(Object o) {
    return o instanceof NamespaceId namespaceId && namespaceId.cookie == cookie;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(cookie);
  }

  /** Like the {@code /proc/<pid>/ns/net} link: {@code net:[4026531992]}. */
  @Override
  public String toString() {
    return "net:[" + inode + "]";
  }
}
