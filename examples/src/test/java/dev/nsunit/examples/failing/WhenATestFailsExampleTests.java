package dev.nsunit.examples.failing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.SocketTimeoutException;
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

    String syns = tcpdump(evidence.get("nsunit-connectsToTheDatabase.pcap"),
        "tcp[tcpflags] & tcp-syn != 0 and dst port 5432");
    System.out.println(syns);
    assertThat(syns).contains(".5432: Flags [S]");

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

  static String tcpdump(Path pcap, String filter) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("tcpdump", "-nn", "-r", pcap.toString(), filter).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
