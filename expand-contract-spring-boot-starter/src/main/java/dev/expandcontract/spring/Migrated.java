package dev.expandcontract.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an entity attribute whose column an expand-contract migration owns. Annotate a JPA
 * {@code @Transient} field: Hibernate then never selects or writes the column, so the old one can
 * be dropped under live traffic; the library fills the field on reads (from old or new, per flag
 * and key) and writes it on saves (to old and new, or new only once old writes stopped).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Migrated {

  /** Id of the migration that owns the column. */
  String migration();

  /** The old column of the mapping this field holds; defaults to the field name in snake_case. */
  String column() default "";
}
