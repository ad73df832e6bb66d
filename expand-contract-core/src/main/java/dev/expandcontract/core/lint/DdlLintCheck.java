package dev.expandcontract.core.lint;

import dev.expandcontract.core.sql.DatabaseType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The lint as a command for CI: {@code DdlLintCheck --database=postgresql|mysql
 * [--mapped=customers.email,...] [--fail] <script or directory>...}. Prints each finding; with
 * {@code --fail}, exits 1 when there is one. Scripts run in Flyway's order (by version).
 */
public final class DdlLintCheck {

  private DdlLintCheck() {}

  public static void main(String[] args) throws IOException {
    int exit = run(args, System.out);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  static int run(String[] args, PrintStream out) throws IOException {
    DatabaseType database = null;
    Set<String> mapped = new HashSet<>();
    boolean fail = false;
    List<Path> paths = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--database=")) {
        database = DatabaseType.valueOf(arg.substring(11).toUpperCase(Locale.ROOT));
      } else if (arg.startsWith("--mapped=")) {
        mapped.addAll(List.of(arg.substring(9).split(",")));
      } else if (arg.equals("--fail")) {
        fail = true;
      } else {
        paths.add(Path.of(arg));
      }
    }
    if (database == null || paths.isEmpty()) {
      out.println(
          "usage: DdlLintCheck --database=postgresql|mysql [--mapped=table.column,...] [--fail]"
              + " <script or directory>...");
      return 2;
    }
    List<PendingScript> scripts = new ArrayList<>();
    for (Path script : scripts(paths)) {
      scripts.add(new PendingScript(script.toString(), Files.readString(script)));
    }
    List<LintFinding> findings = new DdlLint(database, mapped).check(scripts);
    findings.forEach(out::println);
    out.println(findings.size() + " finding(s) in " + scripts.size() + " script(s)");
    return fail && !findings.isEmpty() ? 1 : 0;
  }

  private static List<Path> scripts(List<Path> paths) throws IOException {
    List<Path> scripts = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.walk(path)) {
          files.filter(p -> p.toString().endsWith(".sql")).forEach(scripts::add);
        }
      } else {
        scripts.add(path);
      }
    }
    scripts.sort(Comparator.comparing(DdlLintCheck::versionOrder));
    return scripts;
  }

  /** V1_2__x.sql before V10__y.sql: compares the version numbers, not the text. */
  private static String versionOrder(Path script) {
    String name = script.getFileName().toString();
    String version = name.matches("V[\\d_.]+__.*") ? name.substring(1, name.indexOf("__")) : "";
    StringBuilder key = new StringBuilder();
    for (String part : version.split("[._]")) {
      key.append(String.format(Locale.ROOT, "%010d", part.isEmpty() ? 0 : Long.parseLong(part)));
    }
    return key + name;
  }
}
