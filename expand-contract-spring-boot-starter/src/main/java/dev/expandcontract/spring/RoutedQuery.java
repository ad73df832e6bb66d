package dev.expandcontract.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a repository query method that filters on old columns; the library runs {@link #newQuery()}
 * (same parameters, filtering on the new columns) instead once the flag routes reads to new. The
 * route is sticky per first argument, like keys.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RoutedQuery {

  /** Id of the migration whose read flag decides. */
  String migration();

  /** Name of the repository method with the same parameters that queries the new schema. */
  String newQuery();
}
