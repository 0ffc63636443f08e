package dev.nsunit.internal.netlink;

/**
 * {@code struct tcmsg} (linux/rtnetlink.h), the fixed part of the traffic-control messages
 * (RTM_NEWQDISC, RTM_DELQDISC, ...).
 *
 * @param index tcm_ifindex: the link the qdisc belongs to
 * @param handle tcm_handle: the qdisc's own handle, 0 to let the kernel choose
 * @param parent tcm_parent: where it hangs, {@link #ROOT} for the link's root
 */
public record TcMsg(int index, int handle, int parent) implements KernelStruct {
  /** {@code sizeof(struct tcmsg)}. */
  public static final int SIZE = 20;
  /** {@code TC_H_ROOT} from linux/pkt_sched.h. */
  public static final int ROOT = 0xffffffff;

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(0).u8(0).u16(0) // tcm_family AF_UNSPEC, tcm__pad1, tcm__pad2
        .u32(index).u32(handle).u32(parent).u32(0); // tcm_info
  }
}
