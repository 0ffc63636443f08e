package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;
import java.util.Arrays;
import org.assertj.core.error.BasicErrorMessageFactory;

/**
 * The shared shape of every nsunit message: the format's own text, then the namespace's state as
 * evidence. The namespace's name is printed without quotes.
 */
abstract class NetworkErrorMessageFactory extends BasicErrorMessageFactory {

  /**
   * @param format the message, with {@code %s} for each argument
   * @param namespace the namespace's description for the evidence's heading
   * @param snapshot the state shown as evidence, or {@code null} for none
   * @param args the remaining arguments, rendered by AssertJ's representation
   */
  NetworkErrorMessageFactory(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(snapshot == null ? format : format + "%n%s", arguments(namespace, snapshot, args));
  }

  private static Object[] arguments(String namespace, NetworkSnapshot snapshot, Object[] args) {
    Object[] out = Arrays.copyOf(args, args.length + (snapshot == null ? 0 : 1));
    if (snapshot != null) {
      out[out.length - 1] = unquotedString(Evidence.of(namespace, snapshot));
    }
    return out;
  }

  /** Text printed as is. */
  static CharSequence raw(String text) {
    return unquotedString(text);
  }

  /** Values printed one per line, as is. */
  static CharSequence lines(Iterable<?> values) {
    StringBuilder sb = new StringBuilder();
    for (Object v : values) {
      sb.append(sb.length() == 0 ? "" : String.format("%n  ")).append(v);
    }
    return unquotedString(sb.length() == 0 ? "(none)" : sb.toString());
  }

  static CharSequence lines(Object... values) {
    return lines(Arrays.asList(values));
  }
}
