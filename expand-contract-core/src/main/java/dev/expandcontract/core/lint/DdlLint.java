package dev.expandcontract.core.lint;

import dev.expandcontract.core.lint.ScriptStatements.Statement;
import dev.expandcontract.core.sql.DatabaseType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks pending migration scripts for DDL that would lock or rewrite a big table, by the rules of
 * {@code rules.txt}. A script opts out of one rule with a comment that says why: {@code --
 * expand-contract: allow <rule-id> because <reason>}.
 */
public final class DdlLint {

  private static final Pattern OPT_OUT =
      Pattern.compile(
          "(?im)^\\s*--\\s*expand-contract:\\s*allow\\s+([\\w-]+)(?:\\s+because\\s+(.*))?$");
  private static final Pattern CREATE_TABLE =
      Pattern.compile("(?i)^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?([\\w\"`.]+)");
  private static final List<String> TABLE_GROUPS = List.of("table", "table2", "table3", "table4");

  private final List<LintRule> rules;
  private final Set<String> mapped;

  /**
   * @param database the dialect whose rules apply
   * @param mapped tables ({@code customers}) and columns ({@code customers.email}) a running
   *     release maps; dropping or renaming them outside the contract guard is a finding
   */
  public DdlLint(DatabaseType database, Set<String> mapped) {
    this(LintRules.standard(), database, mapped);
  }

  DdlLint(List<LintRule> rules, DatabaseType database, Set<String> mapped) {
    this.rules = rules.stream().filter(r -> r.databases().contains(database)).toList();
    this.mapped = new HashSet<>();
    mapped.forEach(name -> this.mapped.add(name.toLowerCase(Locale.ROOT)));
  }

  /** Findings of the scripts, checked in the order given (the order they would run in). */
  public List<LintFinding> check(List<PendingScript> scripts) {
    List<LintFinding> findings = new ArrayList<>();
    List<String> earlier = new ArrayList<>();
    for (PendingScript script : scripts) {
      Map<String, Boolean> optOuts = optOuts(script, findings);
      Set<String> created = new HashSet<>();
      for (Statement statement : ScriptStatements.split(script.text())) {
        for (LintRule rule : rules) {
          if (!optOuts.getOrDefault(rule.id(), false)) {
            finding(rule, script, statement, created, earlier).ifPresent(findings::add);
          }
        }
        Matcher create = CREATE_TABLE.matcher(statement.sql());
        if (create.find()) {
          created.add(plain(create.group(1)));
        }
        earlier.add(statement.sql());
      }
    }
    return findings;
  }

  private Optional<LintFinding> finding(
      LintRule rule,
      PendingScript script,
      Statement statement,
      Set<String> created,
      List<String> earlier) {
    Matcher match = rule.match().matcher(statement.sql());
    if (!match.find() || rule.unless().map(u -> u.matcher(statement.sql()).find()).orElse(false)) {
      return Optional.empty();
    }
    String table = plain(firstGroup(match, TABLE_GROUPS));
    String column = plain(group(match, "column"));
    if (created.contains(table)) {
      return Optional.empty(); // created empty in this script: nothing to lock
    }
    if (rule.mapped() && !mapped.contains(column.isEmpty() ? table : table + "." + column)) {
      return Optional.empty();
    }
    if (rule.unlessEarlier().isPresent()) {
      Pattern exempt =
          Pattern.compile(
              rule.unlessEarlier()
                  .get()
                  .replace("{column}", Pattern.quote(column))
                  .replace("{table}", Pattern.quote(table)));
      if (earlier.stream().anyMatch(sql -> exempt.matcher(sql).find())) {
        return Optional.empty();
      }
    }
    return Optional.of(
        new LintFinding(
            script.name(),
            statement.line(),
            rule.id(),
            rule.message() + ". Instead: " + rule.instead()));
  }

  /** Rules the script opts out of; an opt-out that says no why is itself a finding. */
  private Map<String, Boolean> optOuts(PendingScript script, List<LintFinding> findings) {
    Map<String, Boolean> optOuts = new HashMap<>();
    Matcher optOut = OPT_OUT.matcher(script.text());
    while (optOut.find()) {
      String reason = optOut.group(2) == null ? "" : optOut.group(2).strip();
      if (reason.length() < 10) {
        findings.add(
            new LintFinding(
                script.name(),
                lineOf(script.text(), optOut.start()),
                optOut.group(1),
                "an opt-out must say why: '-- expand-contract: allow "
                    + optOut.group(1)
                    + " because <reason>'"));
      } else {
        optOuts.put(optOut.group(1), true);
      }
    }
    return optOuts;
  }

  private static String firstGroup(Matcher match, List<String> names) {
    for (String name : names) {
      String value = group(match, name);
      if (!value.isEmpty()) {
        return value;
      }
    }
    return "";
  }

  private static String group(Matcher match, String name) {
    try {
      String value = match.group(name);
      return value == null ? "" : value;
    } catch (IllegalArgumentException noSuchGroup) {
      return "";
    }
  }

  /** Lower case, without quotes or a schema qualifier. */
  private static String plain(String name) {
    String unquoted = name.replaceAll("[\"`]", "").toLowerCase(Locale.ROOT);
    return unquoted.substring(unquoted.lastIndexOf('.') + 1);
  }

  private static int lineOf(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }
}
