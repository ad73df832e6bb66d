package dev.expandcontract.core.ddl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Recognises the DDL statements the executors handle and the directive comment above them. */
final class DdlStatements {

  static final String DIRECTIVE = "expand-contract:";
  private static final String NAME = "[`\"]?([A-Za-z_][A-Za-z0-9_$]*)[`\"]?";
  private static final String QUALIFIED = "(?:" + NAME + "\\.)?" + NAME;
  private static final Pattern ALTER =
      Pattern.compile(
          "(?is)ALTER\\s+TABLE\\s+(?:ONLY\\s+)?(?:IF\\s+EXISTS\\s+)?" + QUALIFIED + "\\s+(.+)");
  private static final Pattern CREATE_INDEX =
      Pattern.compile(
          "(?is)CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?"
              + "(?:"
              + QUALIFIED
              + "\\s+)?ON\\s+(?:ONLY\\s+)?"
              + QUALIFIED
              + "\\b.*");
  private static final Pattern OTHER_TABLE_DDL =
      Pattern.compile(
          "(?is)(?:(?:CREATE|DROP)\\s+TABLE|TRUNCATE(?:\\s+TABLE)?|RENAME\\s+TABLE)\\s+"
              + "(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?"
              + QUALIFIED
              + "\\b.*");
  private static final Pattern ANY_DDL =
      Pattern.compile("(?is)(?:CREATE|ALTER|DROP|RENAME|TRUNCATE|COMMENT)\\b.*");
  private static final Pattern OPTION = Pattern.compile("([a-z-]+)=([^\\s,]+)");

  private DdlStatements() {}

  static Optional<DdlChange> parse(String sql) {
    Map<String, String> options = new LinkedHashMap<>();
    String rest = sql.strip();
    while (rest.startsWith("--") || rest.startsWith("/*")) {
      int end = rest.startsWith("--") ? lineEnd(rest) : rest.indexOf("*/") + 2;
      if (end < 2) {
        return Optional.empty();
      }
      String comment = rest.substring(2, rest.startsWith("--") ? end : end - 2).strip();
      if (comment.startsWith(DIRECTIVE)) {
        Matcher option = OPTION.matcher(comment.substring(DIRECTIVE.length()));
        while (option.find()) {
          options.put(option.group(1), option.group(2));
        }
      }
      rest = rest.substring(end).strip();
    }
    if (rest.endsWith(";")) {
      rest = rest.substring(0, rest.length() - 1).strip();
    }
    if (!ANY_DDL.matcher(rest).matches()) {
      return Optional.empty();
    }
    return Optional.of(new DdlChange(table(rest).orElse(""), rest, options));
  }

  private static Optional<String> table(String statement) {
    Matcher alter = ALTER.matcher(statement);
    if (alter.matches()) {
      return Optional.of(alter.group(2));
    }
    Matcher index = CREATE_INDEX.matcher(statement);
    if (index.matches()) {
      return Optional.of(index.group(4));
    }
    Matcher other = OTHER_TABLE_DDL.matcher(statement);
    if (other.matches()) {
      return Optional.of(other.group(2));
    }
    return Optional.empty();
  }

  static Optional<String> alterClause(String statement) {
    Matcher alter = ALTER.matcher(statement);
    return alter.matches() ? Optional.of(alter.group(3).strip()) : Optional.empty();
  }

  private static int lineEnd(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text.length() : newline;
  }
}
