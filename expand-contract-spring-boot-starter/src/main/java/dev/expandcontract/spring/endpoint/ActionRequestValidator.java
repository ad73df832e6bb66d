package dev.expandcontract.spring.endpoint;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.http.HttpMethod;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Checks the JSON body of an action before Spring MVC binds it, so that every malformed request
 * answers 400 with a reason naming what is wrong instead of Spring's bare "Bad Request": malformed
 * JSON, an empty body, anything but an object, duplicate or unknown keys, a missing or non-string
 * {@code action}, a {@code percent} that is not a whole JSON number (a string such as {@code "50"}
 * is refused, not guessed), and {@code settings} that are not an object of strings and whole
 * numbers. A valid body passes on unchanged.
 */
public final class ActionRequestValidator extends OncePerRequestFilter {

  /** Larger bodies are refused unread: an action is a few dozen bytes. */
  static final int MAX_BODY_BYTES = 4096;

  private static final Set<String> FIELDS = Set.of("action", "percent", "settings");

  private static final JsonFactory JSON_OUT = JsonFactory.builder().build();

  private final JsonFactory json =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private final Supplier<String> endpointPath;

  /**
   * @param endpointPath the endpoint's web path, e.g. {@code /actuator/expandcontract}; asked per
   *     request, as the actuator's path mapping is known only once its beans exist
   */
  public ActionRequestValidator(Supplier<String> endpointPath) {
    this.endpointPath = endpointPath;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return !HttpMethod.POST.matches(request.getMethod())
        || !path.startsWith(endpointPath.get() + "/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    String problem =
        body.length > MAX_BODY_BYTES
            ? "the request body is larger than " + MAX_BODY_BYTES + " bytes"
            : problem(body);
    if (problem != null) {
      refuse(response, problem);
      return;
    }
    chain.doFilter(new CachedBodyRequest(request, body), response);
  }

  /** What is wrong with an action body, or null when it is well-formed. */
  String problem(byte[] body) {
    if (new String(body, StandardCharsets.UTF_8).isBlank()) {
      return "the request body is empty; expected a JSON object such as {\"action\":"
          + " \"start-backfill\"}";
    }
    Map<String, JsonToken> fields = new LinkedHashMap<>();
    try (JsonParser parser = json.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return "expected a JSON object such as {\"action\": \"start-backfill\"}, got "
            + describe(first);
      }
      while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = parser.currentName();
        if (!FIELDS.contains(name)) {
          return "unknown field '" + name + "'; an action takes " + FIELDS;
        }
        JsonToken value = parser.nextToken();
        fields.put(name, value);
        parser.skipChildren();
      }
      if (parser.nextToken() != null) {
        return "unexpected content after the JSON object";
      }
    } catch (JacksonException e) {
      return "malformed JSON: " + e.getOriginalMessage();
    }
    JsonToken action = fields.get("action");
    if (action != JsonToken.VALUE_STRING) {
      return "'action' must be a string naming the action, got "
          + (action == null ? "no 'action'" : describe(action));
    }
    JsonToken settings = fields.get("settings");
    if (settings != null && settings != JsonToken.VALUE_STRING) {
      return "'settings' must be a string such as \"target-batch-time=100ms,"
          + " max-active-sessions=8\", got "
          + describe(settings);
    }
    JsonToken percent = fields.get("percent");
    if (percent != null
        && percent != JsonToken.VALUE_NUMBER_INT
        && percent != JsonToken.VALUE_NULL) {
      return "'percent' must be a whole number from 0 to 100, got " + describe(percent);
    }
    return null;
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_FLOAT -> "a fractional number";
      case VALUE_NUMBER_INT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      default -> token.name();
    };
  }

  private static void refuse(HttpServletResponse response, String reason) throws IOException {
    response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    try (JsonGenerator out = JSON_OUT.createGenerator(response.getWriter())) {
      out.writeStartObject();
      out.writeNumberProperty("status", HttpServletResponse.SC_BAD_REQUEST);
      out.writeStringProperty("reason", reason);
      out.writeEndObject();
    }
  }

  /** The request with the body already read, readable again by Spring MVC. */
  private static final class CachedBodyRequest extends HttpServletRequestWrapper {
    private final byte[] body;

    CachedBodyRequest(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("synchronous body");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }
}
