package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_CAP_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_EXT_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSGERR_ATTR_MSG;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_DONE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_ERROR;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_HDRLEN;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_NOOP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_OVERRUN;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK_TLVS;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CAPPED;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP_INTR;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOL_NETLINK;

import dev.nsunit.internal.libc.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One AF_NETLINK socket, bound to the network namespace of the thread that opened it. Requests
 * are serialized by a lock, so one socket can serve many threads; every request asks for an ACK
 * (or, for dumps, reads to NLMSG_DONE) and every receive has a timeout, so no call can hang.
 *
 * <p>Decoders run while a reply is in the receive buffer, which the next datagram overwrites;
 * they must copy what they keep.
 *
 * <p>Replies whose sequence number does not belong to the request in flight (left over from a
 * request that timed out) are discarded.
 */
public final class NetlinkSocket implements AutoCloseable {
  /** Receive buffer: more than the ~32 KiB the kernel puts in one dump datagram. */
  static final int BUFFER_SIZE = 64 * 1024;
  /** How long one receive may block before the request is declared lost. */
  public static final long RECEIVE_TIMEOUT_MILLIS = 5_000;

  /** How many idle buffers are kept for reuse (about 72 KiB each): as many as requests run at once, up to this. */
  private static final int POOL_SIZE = 16;
  /**
   * Buffers no request is using. A socket borrows one for each request and gives it back when
   * the reply has been decoded, so that hundreds of open sockets (a star of 500 endpoints) do not
   * each hold 64 KiB: a fresh direct buffer costs more than the socket itself (malloc, zeroing,
   * page faults on new memory, freed only after a GC).
   */
  private static final ArrayDeque<Buffers> POOL = new ArrayDeque<>(); // guarded by itself

  private final int protocol;
  private final ReentrantLock lock = new ReentrantLock();
  private int fd;
  private int nextSeq = 1;

  /** A receive buffer and a request builder, used by one request at a time. */
  private static final class Buffers {
    final ByteBuffer receive = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.nativeOrder());
    final MessageBuilder builder = new MessageBuilder();
  }

  private NetlinkSocket(int fd, int protocol) {
    this.fd = fd;
    this.protocol = protocol;
  }

  private static Buffers takeBuffers() {
    synchronized (POOL) {
      Buffers b = POOL.poll();
      if (b != null) {
        return b;
      }
    }
    return new Buffers();
  }

  private static void returnBuffers(Buffers b) {
    b.builder.reset();
    synchronized (POOL) {
      if (POOL.size() < POOL_SIZE) {
        POOL.push(b);
      }
    }
  }

  /**
   * Opens a netlink socket of {@code protocol} (e.g. NETLINK_ROUTE) in the calling thread's
   * network namespace, with extended ACKs, capped ACKs and receive timeouts enabled.
   */
  public static NetlinkSocket open(int protocol) {
    int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW, protocol);
    Buffers buffers = null;
    try {
      buffers = takeBuffers();
      // a receive buffer carries the struct sockaddr_nl (saves an allocation)
      ByteBuffer address = buffers.receive;
      address.putLong(0, 0).putInt(8, 0);
      address.putShort(0, (short) Libc.AF_NETLINK); // nl_pid 0: the kernel assigns one; nl_groups 0
      Libc.bind(fd, address, 12);
      returnBuffers(buffers);
      buffers = null;
      Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, 256 * 1024);
      Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, 64 * 1024);
      Libc.setTimeout(fd, Libc.SO_RCVTIMEO, RECEIVE_TIMEOUT_MILLIS);
      Libc.setTimeout(fd, Libc.SO_SNDTIMEO, RECEIVE_TIMEOUT_MILLIS);
      Libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
      Libc.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
      return new NetlinkSocket(fd, protocol);
    } catch (RuntimeException e) {
      if (buffers != null) {
        returnBuffers(buffers);
      }
      Libc.close(fd);
      throw e;
    }
  }

  /** The file descriptor, e.g. to read the namespace cookie. */
  public int fd() {
    return fd;
  }

  /**
   * Sends the requests {@code encoder} writes, in one datagram, and waits for each one's ACK. All
   * ACKs are read even when one fails; the first failure is then thrown. The requests are encoded
   * into this socket's reusable buffer while the lock is held, which saves allocating one per call.
   */
  public void execute(Consumer<MessageBuilder> encoder) {
    exchange(encoder, Ending.ACK, reply -> null);
  }

  /**
   * Sends requests that each produce data replies (e.g. a non-dump RTM_GETLINK) plus an ACK, and
   * returns the decoded replies in order. {@code decoder} runs while the reply is still in the
   * receive buffer; it may return {@code null} to skip a reply.
   */
  public <T> List<T> request(Consumer<MessageBuilder> encoder, Function<Message, T> decoder) {
    return exchange(encoder, Ending.ACK, decoder);
  }

  /**
   * Sends one NLM_F_DUMP request and decodes every reply up to NLMSG_DONE. {@code decoder} may
   * return {@code null} to skip a reply.
   */
  public <T> List<T> dump(Consumer<MessageBuilder> encoder, Function<Message, T> decoder) {
    return exchange(encoder, Ending.DONE, decoder);
  }

  /**
   * Sends one nfnetlink batch, which the kernel applies as a single transaction: the first message
   * {@code encoder} writes must be NFNL_MSG_BATCH_BEGIN, the last NFNL_MSG_BATCH_END, and every one
   * between them must set NLM_F_ACK. The kernel runs every request even after one fails, then
   * commits all or none and answers each request; all answers are read and the first failure is
   * thrown. An error answer to NFNL_MSG_BATCH_BEGIN is the kernel refusing the whole batch (no
   * nf_tables subsystem, a failed commit): it is thrown at once, and answers that may still come
   * are discarded by the next request as left over. {@code decoder} gets the other replies (those
   * NLM_F_ECHO asks for, for instance) and may return {@code null} to skip one.
   */
  public <T> List<T> batch(Consumer<MessageBuilder> encoder, Function<Message, T> decoder) {
    return exchange(encoder, Ending.BATCH, decoder);
  }

  /** What ends the replies to a request, and so which requests can wait for it. */
  private enum Ending {
    /** Its NLMSG_ERROR, which is an ACK when the error is 0: every request must ask for one. */
    ACK {
      @Override
      void require(MessageBuilder requests) {
        for (int i = 0; i < requests.count(); i++) {
          if ((requests.flags(i) & NLM_F_ACK) == 0) {
            throw new IllegalArgumentException("request \"" + requests.description(i) + "\" must set NLM_F_ACK");
          }
        }
      }
    },
    /**
     * The ACKs of the requests inside an nfnetlink batch; its framing messages get none (unless
     * they ask for one, on kernel 6.10 and later; such an ACK is skipped).
     */
    BATCH {
      @Override
      void require(MessageBuilder requests) {
        int last = requests.count() - 1;
        if (last < 2 || requests.type(0) != NftConstants.NFNL_MSG_BATCH_BEGIN
            || requests.type(last) != NftConstants.NFNL_MSG_BATCH_END) {
          throw new IllegalArgumentException("batch() takes NFNL_MSG_BATCH_BEGIN, one or more requests and"
              + " NFNL_MSG_BATCH_END");
        }
        for (int i = 1; i < last; i++) {
          if ((requests.flags(i) & NLM_F_ACK) == 0) {
            throw new IllegalArgumentException("request \"" + requests.description(i) + "\" must set NLM_F_ACK");
          }
        }
      }
    },
    /** NLMSG_DONE, the end of a dump, which sends no ACK. */
    DONE {
      @Override
      void require(MessageBuilder requests) {
        if (requests.count() != 1 || (requests.flags(0) & NLM_F_DUMP) != NLM_F_DUMP) {
          throw new IllegalArgumentException("dump() takes exactly one NLM_F_DUMP request");
        }
      }
    };

    /** Refuses requests whose replies would not end this way. */
    abstract void require(MessageBuilder requests);
  }

  /**
   * The one round trip to the kernel, under the lock: encodes the requests into a borrowed
   * builder, checks they suit {@code ending}, sends them with fresh sequence numbers and reads
   * until every one has ended, into a borrowed buffer. Decoders turn replies into values that
   * do not refer to the buffer, so it goes back when the exchange ends.
   */
  private <T> List<T> exchange(Consumer<MessageBuilder> encoder, Ending ending, Function<Message, T> decoder) {
    lock.lock();
    try {
      requireOpen();
      Buffers b = takeBuffers();
      try {
        MessageBuilder builder = b.builder;
        encoder.accept(builder);
        ending.require(builder);
        int firstSeq = send(builder);
        return receive(builder, b.receive, firstSeq, ending, decoder);
      } finally {
        returnBuffers(b);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Stamps the next sequence numbers into {@code requests} and sends them; returns the first. */
  private int send(MessageBuilder requests) {
    int firstSeq = nextSeq;
    nextSeq += requests.count();
    requests.stampSequence(firstSeq);
    ByteBuffer out = requests.buffer();
    long sent = Libc.send(fd, out, requests.length());
    if (sent != requests.length()) {
      throw new NetlinkException("short send: " + sent + " of " + requests.length() + " bytes");
    }
    return firstSeq;
  }

  /**
   * Reads replies until every request has ended, decoding data replies while no request has
   * failed. Replies with a sequence number outside this exchange are left over from an earlier,
   * abandoned one and are skipped.
   */
  private <T> List<T> receive(MessageBuilder requests, ByteBuffer receiveBuffer, int firstSeq, Ending ending,
      Function<Message, T> decoder) {
    int count = requests.count();
    List<T> data = new ArrayList<>();
    boolean[] finished = new boolean[count];
    int pending = count;
    if (ending == Ending.BATCH) {
      finished[0] = true; // the framing: answered only when the kernel refuses the whole batch
      finished[count - 1] = true;
      pending -= 2;
    }
    NetlinkException failure = null;
    while (pending > 0) {
      long n = Libc.receive(fd, receiveBuffer, Libc.MSG_TRUNC);
      if (n < 0) {
        throw new NetlinkException("no reply from the kernel within " + RECEIVE_TIMEOUT_MILLIS
            + " ms to " + requests.description(firstUnfinished(finished)));
      }
      if (n > receiveBuffer.capacity()) {
        throw new NetlinkException("a " + n + "-byte netlink datagram was truncated to the "
            + receiveBuffer.capacity() + "-byte buffer (MSG_TRUNC) while reading the reply to "
            + requests.description(firstUnfinished(finished)));
      }
      for (Message m : Message.parseAll(receiveBuffer, (int) n)) {
        int index = m.seq() - firstSeq;
        if (ending == Ending.BATCH && index == 0 && m.type() == NLMSG_ERROR) {
          int errno = errorErrno(m);
          if (errno != 0) {
            if (failure == null) {
              failure = new NetlinkException(requests.description(0), errno, extAck(m));
            }
            Arrays.fill(finished, true); // the kernel refused the batch as a whole
            pending = 0;
          }
          continue;
        }
        if (index < 0 || index >= count || finished[index]) {
          continue; // a late reply to an earlier, abandoned request
        }
        switch (m.type()) {
          case NLMSG_ERROR: {
            int errno = errorErrno(m);
            if (errno != 0 && failure == null) {
              failure = new NetlinkException(requests.description(index), errno, extAck(m));
            }
            finished[index] = true;
            pending--;
            break;
          }
          case NLMSG_DONE:
            if (ending == Ending.DONE) {
              if ((m.flags() & NLM_F_DUMP_INTR) != 0 && failure == null) {
                failure = new NetlinkException(requests.description(index)
                    + ": dump was interrupted by a concurrent change (NLM_F_DUMP_INTR); retry");
              }
              int errno = doneErrno(m);
              if (errno > 0 && failure == null) {
                failure = new NetlinkException(requests.description(index), errno, null);
              }
              finished[index] = true;
              pending--;
            }
            break;
          case NLMSG_NOOP:
          case NLMSG_OVERRUN:
            break;
          default:
            if (failure == null) {
              T decoded = decoder.apply(m);
              if (decoded != null) {
                data.add(decoded);
              }
            }
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return data;
  }

  private static int firstUnfinished(boolean[] finished) {
    for (int i = 0; i < finished.length; i++) {
      if (!finished[i]) {
        return i;
      }
    }
    return 0;
  }

  /** The errno of an NLMSG_ERROR (0 for an ACK), which carries the echoed request's nlmsghdr. */
  private static int errorErrno(Message m) {
    m.requirePayload(4 + NLMSG_HDRLEN);
    return -m.payload().getInt(0);
  }

  /** The errno a dump's NLMSG_DONE carries when the dump failed part way; 0 when it carries none. */
  private static int doneErrno(Message m) {
    return m.payload().limit() >= 4 ? -m.payload().getInt(0) : 0;
  }

  /** The NLMSGERR_ATTR_MSG text of an error message, or {@code null}. */
  static String extAck(Message m) {
    if ((m.flags() & NLM_F_ACK_TLVS) == 0) {
      return null;
    }
    m.requirePayload(4 + NLMSG_HDRLEN); // the errno and the echoed request's nlmsghdr
    ByteBuffer p = m.payload();
    long offset = 4 + NLMSG_HDRLEN;
    if ((m.flags() & NLM_F_CAPPED) == 0) {
      // The echoed nlmsg_len is untrusted: read unsigned, align in long so it cannot overflow.
      long originalLength = Math.max(Integer.toUnsignedLong(p.getInt(4)), NLMSG_HDRLEN);
      offset = 4 + ((originalLength + 3) & ~3L);
    }
    if (offset > p.limit()) {
      throw new NetlinkFormatException("NLMSG_ERROR of " + p.limit() + " bytes claims ACK TLVs at offset " + offset);
    }
    return Attributes.parse(p.slice((int) offset, p.limit() - (int) offset)).string(NLMSGERR_ATTR_MSG);
  }

  private void requireOpen() {
    if (fd < 0) {
      throw new IllegalStateException("netlink socket (protocol " + protocol + ") is closed");
    }
  }

  /** Closes the socket; idempotent. Waits for a request in flight on another thread. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (fd >= 0) {
        int f = fd;
        fd = -1;
        Libc.close(f);
      }
    } finally {
      lock.unlock();
    }
  }
}
