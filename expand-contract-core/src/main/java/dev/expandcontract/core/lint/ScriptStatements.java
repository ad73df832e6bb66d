package dev.expandcontract.core.lint;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements with the line each starts on, leaving comments out and
 * respecting quotes and PostgreSQL dollar quotes; a statement's whitespace becomes single spaces.
 */
final class ScriptStatements {

  record Statement(int line, String sql) {}

  private ScriptStatements() {}

  static List<Statement> split(String script) {
    List<Statement> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int line = 1;
    int startLine = -1;
    int i = 0;
    while (i < script.length()) {
      char c = script.charAt(i);
      if (c == '-' && script.startsWith("--", i) || c == '#' && current.isEmpty()) {
        int end = script.indexOf('\n', i);
        i = end < 0 ? script.length() : end;
        continue;
      }
      if (c == '/' && script.startsWith("/*", i)) {
        int end = script.indexOf("*/", i + 2);
        end = end < 0 ? script.length() : end + 2;
        line += count(script, i, end);
        i = end;
        current.append(' ');
        continue;
      }
      int end = quotedEnd(script, i);
      if (end > i) {
        if (startLine < 0) {
          startLine = line;
        }
        current.append(script, i, end);
        line += count(script, i, end);
        i = end;
        continue;
      }
      if (c == ';') {
        add(statements, startLine, current);
        startLine = -1;
      } else {
        if (c == '\n') {
          line++;
        }
        if (!Character.isWhitespace(c) && startLine < 0) {
          startLine = line;
        }
        current.append(Character.isWhitespace(c) ? ' ' : c);
      }
      i++;
    }
    add(statements, startLine, current);
    return statements;
  }

  /** The end of a quoted string or dollar-quoted body starting at i; i when none starts there. */
  private static int quotedEnd(String script, int i) {
    char c = script.charAt(i);
    if (c == '\'' || c == '"' || c == '`') {
      int end = script.indexOf(c, i + 1);
      return end < 0 ? script.length() : end + 1;
    }
    if (c == '$') {
      int tagEnd = script.indexOf('$', i + 1);
      if (tagEnd > i && script.substring(i + 1, tagEnd).matches("\\w*")) {
        String tag = script.substring(i, tagEnd + 1);
        int end = script.indexOf(tag, tagEnd + 1);
        return end < 0 ? script.length() : end + tag.length();
      }
    }
    return i;
  }

  private static void add(List<Statement> statements, int line, StringBuilder sql) {
    String text = sql.toString().strip().replaceAll(" +", " ");
    if (!text.isEmpty()) {
      statements.add(new Statement(line, text));
    }
    sql.setLength(0);
  }

  private static int count(String text, int from, int to) {
    int newlines = 0;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == '\n') {
        newlines++;
      }
    }
    return newlines;
  }
}
