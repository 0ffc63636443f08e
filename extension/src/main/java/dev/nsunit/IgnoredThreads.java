package dev.nsunit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The thread-name patterns of {@value NsunitProperties#THREADS_IGNORE}: threads the thread-leak
 * report leaves out. A pattern matches a whole Java thread name; {@code *} stands for any run of
 * characters, everything else is literal.
 */
final class IgnoredThreads {
  static final IgnoredThreads NONE = new IgnoredThreads(List.of(), List.of());

  private final List<String> patterns;
  private final List<Pattern> compiled;

  private IgnoredThreads(List<String> patterns, List<Pattern> compiled) {
    this.patterns = patterns;
    this.compiled = compiled;
  }

  /** Parses a comma-separated list such as {@code "HttpClient-*-SelectorManager, Okio Watchdog"}. */
  static IgnoredThreads parse(String list) {
    List<String> patterns = new ArrayList<>();
    List<Pattern> compiled = new ArrayList<>();
    for (String p : list.split(",", -1)) {
      String pattern = p.trim();
      if (pattern.isEmpty()) {
        continue;
      }
      StringBuilder regex = new StringBuilder();
      for (String literal : pattern.split("\\*", -1)) {
        if (regex.length() > 0) {
          regex.append(".*");
        }
        regex.append(Pattern.quote(literal));
      }
      patterns.add(pattern);
      compiled.add(Pattern.compile(regex.toString(), Pattern.DOTALL));
    }
    return patterns.isEmpty() ? NONE : new IgnoredThreads(List.copyOf(patterns), List.copyOf(compiled));
  }

  boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** Whether the thread called {@code javaName} is to be left out of reports. */
  boolean matches(String javaName) {
    for (Pattern p : compiled) {
      if (p.matcher(javaName).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * A pattern that would cover {@code javaName} and its siblings: each run of digits becomes
   * {@code *} ({@code HttpClient-3-SelectorManager} gives {@code HttpClient-*-SelectorManager}).
   */
  static String suggest(String javaName) {
    return javaName.replaceAll("[0-9]+", "*");
  }

  @Override
  public String toString() {
    return String.join(",", patterns);
  }
}
