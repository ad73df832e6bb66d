package dev.expandcontract.spring.it;

import java.util.Locale;

/** The Java twin of {@code lower(trim(email))}: SQL's trim removes spaces only. */
final class Emails {

  private Emails() {}

  static String normalize(String email) {
    return email == null ? null : email.replaceAll("^ +| +$", "").toLowerCase(Locale.ROOT);
  }
}
