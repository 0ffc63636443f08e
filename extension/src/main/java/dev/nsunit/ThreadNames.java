package dev.nsunit;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The Java names of this JVM's threads by kernel task id. {@code /proc/self/task/TID/comm} holds
 * at most 15 characters of a name ({@code "HttpClient-1-Se"}), so reports that read it alone are
 * ambiguous. HotSpot's thread dump ({@code jcmd PID Thread.print}, here through its
 * {@code DiagnosticCommand} MBean, in-process) gives each thread's full name and its kernel id
 * ({@code nid}). Where that dump is unavailable (another JVM), a name is matched by its first 15
 * characters among the live threads, and the kernel's name is kept when that is not unique.
 */
final class ThreadNames {
  /** The kernel's limit for a task's name: TASK_COMM_LEN is 16, with the NUL. */
  static final int COMM_LENGTH = 15;

  // "name" #12 [4321] daemon prio=5 os_prio=0 cpu=1.2ms elapsed=3.4s tid=0x00007f... nid=4321 (JDK 19+)
  // "name" #12 daemon prio=5 os_prio=0 cpu=1.2ms elapsed=3.4s tid=0x00007f... nid=0x10e1 (JDK 17)
  private static final Pattern DUMP_LINE = Pattern.compile("^\"(.*)\" .*?\\bnid=(0x[0-9a-fA-F]+|[0-9]+)\\b");

  private ThreadNames() {}

  /** Java thread names by kernel task id, from the JVM's thread dump; empty if there is none. */
  static Map<Long, String> byTaskId() {
    String dump;
    try {
      dump = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
    } catch (JMException | RuntimeException | LinkageError e) {
      return Map.of(); // not HotSpot, or no java.management: fall back to the kernel's names
    }
    return parse(dump);
  }

  /** The name and task id of each thread in a HotSpot thread dump. */
  static Map<Long, String> parse(String dump) {
    Map<Long, String> names = new HashMap<>();
    for (String line : dump.split("\n", -1)) {
      Matcher m = DUMP_LINE.matcher(line);
      if (m.find()) {
        String nid = m.group(2);
        long tid = nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
        names.put(tid, m.group(1));
      }
    }
    return names;
  }

  /**
   * The Java name of task {@code tid}, whose kernel name is {@code comm}: from {@code byTaskId} if
   * it knows the task, else the one live thread whose name the kernel would cut to {@code comm},
   * else {@code comm} itself.
   */
  static String javaName(long tid, String comm, Map<Long, String> byTaskId) {
    String known = byTaskId.get(tid);
    if (known != null) {
      return known;
    }
    List<String> candidates = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (kernelName(t.getName()).equals(comm)) {
        candidates.add(t.getName());
      }
    }
    return candidates.size() == 1 ? candidates.get(0) : comm;
  }

  /** What the kernel shows for a thread called {@code javaName}. */
  static String kernelName(String javaName) {
    return javaName.length() <= COMM_LENGTH ? javaName : javaName.substring(0, COMM_LENGTH);
  }
}
