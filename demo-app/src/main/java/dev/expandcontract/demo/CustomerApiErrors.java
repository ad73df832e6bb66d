package dev.expandcontract.demo;

import dev.expandcontract.core.StaleStateException;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Bad input to the customer API answers 400 with a problem detail naming what is wrong; a write
 * this instance may not make right now (it cannot see the shared migration state) answers 503, so a
 * client or load balancer retries it elsewhere.
 */
@RestControllerAdvice(assignableTypes = CustomerController.class)
class CustomerApiErrors {

  @ExceptionHandler(MethodArgumentNotValidException.class)
  ProblemDetail invalidField(MethodArgumentNotValidException e) {
    String detail =
        e.getBindingResult().getFieldErrors().stream()
            .map(error -> error.getField() + ": " + error.getDefaultMessage())
            .sorted()
            .collect(Collectors.joining("; "));
    return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ProblemDetail unreadableBody(HttpMessageNotReadableException e) {
    return ProblemDetail.forStatusAndDetail(
        HttpStatus.BAD_REQUEST,
        "the request body is not a JSON customer: expected"
            + " {\"name\", \"email\", \"street\", \"city\", \"zip\"}");
  }

  /** Spring matches handlers against causes too: the repository wraps the listener's exception. */
  @ExceptionHandler(StaleStateException.class)
  ResponseEntity<ProblemDetail> staleInstance(StaleStateException e) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "5")
        .body(ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
  }
}
