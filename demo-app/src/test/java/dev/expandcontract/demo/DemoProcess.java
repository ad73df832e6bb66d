package dev.expandcontract.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * The real demo as a separate JVM: {@code java -jar demo-app-*.jar}, the executable jar the
 * spring-boot-maven-plugin repackaged at {@code package}, pointed at a database through the
 * standard {@code SPRING_DATASOURCE_*} variables, its output in a file under {@code target/}.
 */
final class DemoProcess {

  static final String ADMIN = "admin";

  private final Process process;
  private final int port;
  private final Path log;
  private final DemoClient client;

  private DemoProcess(Process process, int port, Path log, String adminPassword) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.client = new DemoClient(port, ADMIN, adminPassword);
  }

  /**
   * Starts the demo on a free port.
   *
   * @param env the database ({@code SPRING_DATASOURCE_URL/USERNAME/PASSWORD})
   * @param args Spring Boot arguments after {@code --server.port}
   */
  static DemoProcess start(
      Path jar, Map<String, String> env, String adminPassword, List<String> args, Path log)
      throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m"); // a good neighbour on a shared build machine
    command.add("-jar");
    command.add(jar.toString());
    command.add("--server.port=" + port);
    command.addAll(args);
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().put("DEMO_ADMIN_PASSWORD", adminPassword);
    return new DemoProcess(builder.start(), port, log, adminPassword);
  }

  /** The repackaged executable jar in {@code target/} (not the {@code .original}, tests, ...). */
  static Path executableJar() throws IOException {
    Path target = Path.of(System.getProperty("basedir", "."), "target");
    List<Path> jars = new ArrayList<>();
    try (DirectoryStream<Path> candidates = Files.newDirectoryStream(target, "demo-app-*.jar")) {
      for (Path candidate : candidates) {
        String name = candidate.getFileName().toString();
        if (!name.endsWith("-tests.jar")
            && !name.endsWith("-sources.jar")
            && !name.endsWith("-javadoc.jar")
            && isSpringBootExecutable(candidate)) {
          jars.add(candidate);
        }
      }
    }
    if (jars.size() != 1) {
      throw new IllegalStateException(
          "expected exactly one executable demo-app-*.jar in "
              + target.toAbsolutePath()
              + " (run 'mvn -pl demo-app -am verify': package repackages it before"
              + " integration-test), found "
              + jars);
    }
    return jars.get(0);
  }

  private static boolean isSpringBootExecutable(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      String main =
          file.getManifest() == null
              ? null
              : file.getManifest().getMainAttributes().getValue("Main-Class");
      return main != null && main.startsWith("org.springframework.boot.loader");
    }
  }

  DemoClient client() {
    return client;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Polls {@code GET /actuator/health} until it answers 200 (the web server is up and the
   * application ready); fails at once if the process died meanwhile.
   */
  void awaitUp(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "the demo exited with " + process.exitValue() + " before it was up; " + describe());
      }
      try {
        DemoClient.Response health = client.get("/actuator/health");
        if (health.status() == 200) {
          return;
        }
        last = health.status() + " " + health.body();
      } catch (UncheckedIOException e) {
        last = e.getCause().toString(); // not listening yet
      }
      pause(Duration.ofMillis(250));
    }
    throw new AssertionError(
        "the demo was not up after " + timeout + ": " + last + "; " + describe());
  }

  /** SIGKILL: no shutdown hook, no graceful stop, the batch in flight dies with the JVM. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the demo (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it takes too long; for clean-up. */
  void stop() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  Path log() {
    return log;
  }

  /** The last lines of the demo's output, for a failure message. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** The first ERROR line of the demo's output and what follows it (its stack trace). */
  String firstError(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).contains(" ERROR ")) {
          return String.join("\n", all.subList(i, Math.min(all.size(), i + lines)));
        }
      }
      return "(no ERROR line)";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  String describe() {
    return "pid " + process.pid() + ", port " + port + ", log " + log.toAbsolutePath();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** The interval of a polling loop (never a synchronisation by itself). */
  static void pause(Duration interval) {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
