package dev.expandcontract.spring.console;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.ClassUtils;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.util.HtmlUtils;

/**
 * The operator console: one HTML page from the jar that shows every migration and acts through the
 * {@code expandcontract} endpoint. It is served only to a caller who may act (the endpoint's write
 * role, when Spring Security is present), checked here like the endpoint checks its writes, so it
 * holds whatever filter chain the application configures.
 */
public final class OperatorConsole {

  static final String PAGE = "dev/expandcontract/spring/console/console.html";

  private static final boolean SPRING_SECURITY =
      ClassUtils.isPresent("org.springframework.security.core.Authentication", null);

  // Only the page's own inline script and style run; it talks to its own origin only.
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'nonce-%1$s'; style-src 'nonce-%1$s'; connect-src 'self';"
          + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final SecureRandom random = new SecureRandom();
  private final String page;
  private final String path;
  private final Supplier<String> endpointPath;
  private final String writeRole;

  /**
   * @param path where the page is served, e.g. {@code /actuator/expandcontract-console}
   * @param endpointPath the endpoint's web path, e.g. {@code /actuator/expandcontract}; asked per
   *     request, as the actuator's path mapping is known only once its beans exist
   * @param writeRole the role the endpoint's actions need
   */
  public OperatorConsole(String path, Supplier<String> endpointPath, String writeRole) {
    this.page = load();
    this.path = path;
    this.endpointPath = endpointPath;
    this.writeRole = writeRole;
  }

  /** The route that serves the page. */
  public RouterFunction<ServerResponse> route() {
    return RouterFunctions.route().GET(path, this::page).build();
  }

  ServerResponse page(ServerRequest request) {
    HttpServletRequest servlet = request.servletRequest();
    if (SPRING_SECURITY && servlet.getUserPrincipal() == null) {
      return refuse(
          HttpStatus.UNAUTHORIZED,
          "The console needs an authenticated user with role "
              + writeRole
              + "; let the application's security authenticate "
              + path
              + ".");
    }
    if (SPRING_SECURITY && !servlet.isUserInRole(writeRole)) {
      return refuse(HttpStatus.FORBIDDEN, "The console needs role " + writeRole + ".");
    }
    String nonce = nonce();
    String html =
        page.replace(
                "{{endpoint}}", HtmlUtils.htmlEscape(servlet.getContextPath() + endpointPath.get()))
            .replace("{{nonce}}", nonce);
    return ServerResponse.ok()
        .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY.formatted(nonce))
        .header("X-Content-Type-Options", "nosniff")
        .body(html);
  }

  private static ServerResponse refuse(HttpStatus status, String reason) {
    return ServerResponse.status(status)
        .contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .body(reason);
  }

  private String nonce() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String load() {
    try (InputStream in = OperatorConsole.class.getClassLoader().getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException(PAGE + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PAGE, e);
    }
  }
}
