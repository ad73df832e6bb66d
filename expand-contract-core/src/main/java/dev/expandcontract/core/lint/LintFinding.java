package dev.expandcontract.core.lint;

/**
 * One statement of a pending script that would lock or rewrite a big table.
 *
 * @param script the script's name
 * @param line the line the statement starts on (1-based)
 * @param rule the rule's id, which an opt-out comment names
 * @param message what goes wrong and the safe alternative
 */
public record LintFinding(String script, int line, String rule, String message) {

  @Override
  public String toString() {
    return script + ":" + line + ": [" + rule + "] " + message;
  }
}
