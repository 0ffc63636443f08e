package dev.nsunit.examples.failing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.OutputDirectoryCreator;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.FileEntry;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * What a failed test leaves in its report: {@link DeliberatelyFailingExample} is run here through
 * JUnit's own engine (EngineTestKit) and fails, as it should; its evidence is then read like a
 * developer would: the state dump, a pcap that {@code tcpdump -r} reads and that holds the SYN of
 * the connection that failed, and the topology as Mermaid and SVG.
 */
class WhenATestFailsExampleTests {

  @Test
  void aFailedTestLeavesItsNetworkStoryInTheReport(@TempDir Path reports) throws Exception {
    // as Surefire and IDEs run it: the JUnit Platform has a directory for files, and nsunit publishes file entries
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(DeliberatelyFailingExample.class)).outputDirectoryCreator(in(reports)).execute();
    assertThat(results.allEvents().fileEntryPublished().count()).isEqualTo(5);
    assertEvidence(results);
  }

  @Test
  void withoutADirectoryForFilesTheEvidenceGoesUnderTargetAndTheReportNamesIt() throws Exception {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(DeliberatelyFailingExample.class)).execute();
    assertThat(results.allEvents().fileEntryPublished().count()).isZero();
    assertThat(results.allEvents().reportingEntryPublished().stream().map(e -> e.getRequiredPayload(ReportEntry.class))
        .flatMap(r -> r.getKeyValuePairs().values().stream()))
        .allMatch(path -> path.contains("/target/nsunit-evidence/dev.nsunit.examples.failing.DeliberatelyFailingExample/"
            + "connectsToTheDatabase/"));
    assertEvidence(results);
  }

  static void assertEvidence(EngineExecutionResults results) throws Exception {
    assertThat(results.testEvents().failed().stream().map(WhenATestFailsExampleTests::failure))
        .singleElement().isInstanceOf(SocketTimeoutException.class);

    Map<String, Path> evidence = evidenceOf(results);
    assertThat(evidence).containsKeys("nsunit-state.txt", "nsunit-connectsToTheDatabase.pcap", "nsunit-db.pcap",
        "nsunit-topology.mmd", "nsunit-topology.svg");

    String state = Files.readString(evidence.get("nsunit-state.txt"));
    System.out.println(state);
    assertThat(state)
        .contains("# nsunit: the network of DeliberatelyFailingExample.connectsToTheDatabase() when it failed")
        .contains("## endpoint connectsToTheDatabase", "## endpoint db", "## lab host")
        .contains("$ ip addr", "$ ip route", "$ ip neigh", "$ ss -tuna")
        .contains("tcp   LISTEN") // db's server
        .contains("partition connectsToTheDatabase <-> db (drop)");

    Path pcap = evidence.get("nsunit-connectsToTheDatabase.pcap");
    assertThat(synsTo(pcap, 5432)).as("SYNs to :5432 in %s, read by hand", pcap).isPositive();
    Process tcpdump = new ProcessBuilder("tcpdump", "-nn", "-r", pcap.toString(),
        "tcp[tcpflags] & tcp-syn != 0 and dst port 5432").redirectErrorStream(true).start();
    String syns = new String(tcpdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = tcpdump.waitFor();
    System.out.println(syns);
    if (exit != 0 && syns.contains("Couldn't change to")) {
      // rootless: inside a user namespace tcpdump believes it is root and fails to drop to its own
      // user (which is not mapped there); the root run reads the same file with it
      System.out.println("tcpdump cannot run in this user namespace; the pcap was checked by hand only");
    } else {
      assertThat(exit).as(syns).isZero();
      assertThat(syns).contains(".5432: Flags [S]");
    }

    String mermaid = Files.readString(evidence.get("nsunit-topology.mmd"));
    System.out.println(mermaid);
    assertThat(mermaid).startsWith("graph LR").contains("ep_db[\"db\"]", "bridge<br/>172.17.0.0/16",
        "partition connectsToTheDatabase <-> db (drop)");
    assertThat(Files.readString(evidence.get("nsunit-topology.svg"))).startsWith("<svg").contains(">db</text>");
  }

  static OutputDirectoryCreator in(Path root) {
    return new OutputDirectoryCreator() {
      @Override
      public Path getRootDirectory() {
        return root;
      }

      @Override
      public Path createOutputDirectory(TestDescriptor descriptor) throws IOException {
        return Files.createDirectories(root.resolve(descriptor.getUniqueId().toString().replaceAll("[^A-Za-z0-9.-]", "_")));
      }
    };
  }

  /** The evidence files by name: JUnit file entries (5.14+) or, before, report entries naming the files. */
  static Map<String, Path> evidenceOf(EngineExecutionResults results) {
    Map<String, Path> files = new LinkedHashMap<>();
    results.allEvents().fileEntryPublished().stream().map(e -> e.getRequiredPayload(FileEntry.class))
        .forEach(f -> files.put(f.getPath().getFileName().toString(), f.getPath()));
    results.allEvents().reportingEntryPublished().stream().map(e -> e.getRequiredPayload(ReportEntry.class))
        .flatMap(r -> r.getKeyValuePairs().entrySet().stream()).filter(kv -> kv.getKey().startsWith("nsunit."))
        .forEach(kv -> files.put(kv.getKey().substring("nsunit.".length()), Path.of(kv.getValue())));
    return files;
  }

  static Throwable failure(Event e) {
    return e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  /**
   * The TCP SYNs (without ACK) to {@code port} in a classic pcap of Ethernet frames with IPv4, read
   * without tcpdump: the global header (24 bytes), then per record a 16-byte header and the frame.
   */
  static int synsTo(Path pcap, int port) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).as("pcap magic (nanosecond timestamps)").isEqualTo(0xa1b23c4d);
    assertThat(b.getInt(20)).as("LINKTYPE_ETHERNET").isEqualTo(1);
    int syns = 0;
    for (int at = 24; at + 16 <= b.limit(); ) {
      int captured = b.getInt(at + 8);
      int frame = at + 16;
      if (captured >= 14 + 20 + 20 && (b.getShort(frame + 12) & 0xffff) == 0x0008 /* 0x0800 read little-endian */) {
        int ip = frame + 14;
        int ihl = (b.get(ip) & 0x0f) * 4;
        if (b.get(ip + 9) == 6) { // TCP
          int tcp = ip + ihl;
          int dport = ((b.get(tcp + 2) & 0xff) << 8) | (b.get(tcp + 3) & 0xff);
          int flags = b.get(tcp + 13) & 0xff;
          if (dport == port && (flags & 0x12) == 0x02) {
            syns++;
          }
        }
      }
      at = frame + captured;
    }
    return syns;
  }
}
