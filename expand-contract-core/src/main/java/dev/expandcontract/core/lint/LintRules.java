package dev.expandcontract.core.lint;

import dev.expandcontract.core.sql.DatabaseType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the rule blocks of {@code rules.txt} (format described at its top). */
final class LintRules {

  private LintRules() {}

  static List<LintRule> standard() {
    try (InputStream in = LintRules.class.getResourceAsStream("rules.txt")) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the lint rules", e);
    }
  }

  static List<LintRule> parse(String text) {
    List<LintRule> rules = new ArrayList<>();
    String id = null;
    Map<String, String> fields = new HashMap<>();
    try (BufferedReader lines = new BufferedReader(new java.io.StringReader(text))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
          if (id != null) {
            rules.add(rule(id, fields));
          }
          id = trimmed.substring(1, trimmed.length() - 1);
          fields = new HashMap<>();
        } else {
          int equals = trimmed.indexOf('=');
          fields.put(trimmed.substring(0, equals).strip(), trimmed.substring(equals + 1).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (id != null) {
      rules.add(rule(id, fields));
    }
    return rules;
  }

  private static LintRule rule(String id, Map<String, String> fields) {
    Set<DatabaseType> databases = EnumSet.noneOf(DatabaseType.class);
    for (String name : required(id, fields, "databases").split(",")) {
      databases.add(DatabaseType.valueOf(name.strip().toUpperCase(Locale.ROOT)));
    }
    return new LintRule(
        id,
        databases,
        Pattern.compile(required(id, fields, "match")),
        Optional.ofNullable(fields.get("unless")).map(Pattern::compile),
        Optional.ofNullable(fields.get("unless-earlier")),
        Boolean.parseBoolean(fields.getOrDefault("mapped", "false")),
        required(id, fields, "message"),
        required(id, fields, "instead"));
  }

  private static String required(String id, Map<String, String> fields, String field) {
    String value = fields.get(field);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("lint rule [" + id + "] has no " + field);
    }
    return value;
  }
}
