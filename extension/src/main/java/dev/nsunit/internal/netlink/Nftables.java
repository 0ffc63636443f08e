package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_NETFILTER;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NftConstants.NFNL_MSG_BATCH_BEGIN;
import static dev.nsunit.internal.netlink.NftConstants.NFNL_MSG_BATCH_END;
import static dev.nsunit.internal.netlink.NftConstants.NFNL_SUBSYS_NFTABLES;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_RULE_HANDLE;
import static dev.nsunit.internal.netlink.NftConstants.NFT_MSG_NEWRULE;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * nf_tables over a NETLINK_NETFILTER socket, in-process (no {@code nft} process), on the
 * namespace the socket was opened in. Requests go in batches
 * (NFNL_MSG_BATCH_BEGIN ... NFNL_MSG_BATCH_END for NFNL_SUBSYS_NFTABLES), each one ACKed, and a
 * batch is one transaction: it takes effect whole or not at all. Thread-safe: batches are
 * serialized by the socket's lock.
 *
 * <pre>{@code
 * try (Nftables nft = netns.call(Nftables::open)) {
 *   NftRuleset.labForwardReject().applyTo(nft);
 * }
 * }</pre>
 */
public final class Nftables implements AutoCloseable {
  private final NetlinkSocket socket;

  private Nftables(NetlinkSocket socket) {
    this.socket = socket;
  }

  /**
   * Opens a NETLINK_NETFILTER socket in the calling thread's network namespace.
   *
   * @throws dev.nsunit.internal.libc.NativeCallException with EPROTONOSUPPORT if the kernel has
   *     no nfnetlink (CONFIG_NETFILTER_NETLINK)
   */
  public static Nftables open() {
    return new Nftables(NetlinkSocket.open(NETLINK_NETFILTER));
  }

  /** The underlying socket. */
  public NetlinkSocket socket() {
    return socket;
  }

  /**
   * Applies {@code requests} as one transaction and returns the handles of the rules they add,
   * in order. Equivalent to: {@code nft --echo --handle -f FILE} with one command a line.
   *
   * @throws NetlinkException naming the first request the kernel refused, with its errno and
   *     extended-ack text; then none of the requests took effect
   */
  public List<Long> apply(List<? extends NftRequest> requests) {
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("an nf_tables batch needs at least one request");
    }
    Object description = MessageBuilder.lazy(() -> "nftables batch ["
        + requests.stream().map(String::valueOf).collect(Collectors.joining("; ")) + "]");
    return socket.batch(m -> {
      m.begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, description).struct(NfGenMsg.batch(NFNL_SUBSYS_NFTABLES)).end();
      for (NftRequest r : requests) {
        r.writeTo(m);
      }
      m.begin(NFNL_MSG_BATCH_END, NLM_F_REQUEST, description).struct(NfGenMsg.batch(NFNL_SUBSYS_NFTABLES)).end();
    }, Nftables::addedRuleHandle);
  }

  /** {@link #apply(List)} for the requests given. */
  public List<Long> apply(NftRequest... requests) {
    return apply(Arrays.asList(requests));
  }

  /** The handle in the echo of an added rule (NLM_F_ECHO); {@code null} for any other reply. */
  private static Long addedRuleHandle(Message m) {
    if (m.type() != NftConstants.type(NFT_MSG_NEWRULE)) {
      return null;
    }
    byte[] handle = m.attributes(NfGenMsg.SIZE).bytes(NFTA_RULE_HANDLE);
    if (handle == null || handle.length != 8) {
      throw new NetlinkFormatException("the echo of an added rule carries no 8-byte NFTA_RULE_HANDLE");
    }
    long value = 0;
    for (byte b : handle) {
      value = value << 8 | (b & 0xff);
    }
    return value;
  }

  /** Closes the socket; idempotent. The rules stay: they belong to the namespace. */
  @Override
  public void close() {
    socket.close();
  }
}
