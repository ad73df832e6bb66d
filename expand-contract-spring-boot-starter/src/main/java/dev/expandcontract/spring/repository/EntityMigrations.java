package dev.expandcontract.spring.repository;

import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.spring.Migrated;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link Migrated} fields of one entity type, grouped by migration and ordered like the
 * migration's column mappings, so a field list lines up with the core's value lists.
 */
public final class EntityMigrations {

  private final Class<?> entityType;
  private final Map<String, List<Field>> fieldsByMigration;

  private EntityMigrations(Class<?> entityType, Map<String, List<Field>> fieldsByMigration) {
    this.entityType = entityType;
    this.fieldsByMigration = fieldsByMigration;
  }

  /**
   * Binds the entity's {@link Migrated} fields to the declared migrations; empty when it has none.
   * Every mapping of a migration the entity names needs a field, and every field a mapping.
   */
  public static Optional<EntityMigrations> of(
      Class<?> entityType, Function<String, Optional<Migration>> migrations) {
    Map<String, List<Field>> annotated = new LinkedHashMap<>();
    ReflectionUtils.doWithFields(
        entityType,
        field ->
            annotated
                .computeIfAbsent(
                    field.getAnnotation(Migrated.class).migration(), k -> new ArrayList<>())
                .add(field),
        field -> field.isAnnotationPresent(Migrated.class));
    if (annotated.isEmpty()) {
      return Optional.empty();
    }
    Map<String, List<Field>> ordered = new LinkedHashMap<>();
    annotated.forEach(
        (id, fields) -> {
          Migration migration =
              migrations
                  .apply(id)
                  .orElseThrow(
                      () ->
                          invalid(
                              entityType,
                              fields.get(0),
                              "names migration '" + id + "', which is not declared"));
          ordered.put(id, orderLikeMappings(entityType, migration, fields));
        });
    return Optional.of(new EntityMigrations(entityType, ordered));
  }

  private static List<Field> orderLikeMappings(
      Class<?> entityType, Migration migration, List<Field> fields) {
    Map<String, Field> byColumn = new LinkedHashMap<>();
    for (Field field : fields) {
      String column = column(field);
      if (byColumn.put(column, field) != null) {
        throw invalid(entityType, field, "maps old column '" + column + "' a second time");
      }
    }
    List<Field> result = new ArrayList<>();
    for (ColumnMapping mapping : migration.columns()) {
      Field field = byColumn.remove(mapping.oldColumn().toLowerCase(Locale.ROOT));
      if (field == null) {
        throw new InvalidMigrationException(
            "entity "
                + entityType.getName()
                + " has no @Migrated field for column '"
                + mapping.oldColumn()
                + "' of migration '"
                + migration.id()
                + "'");
      }
      ReflectionUtils.makeAccessible(field);
      result.add(field);
    }
    if (!byColumn.isEmpty()) {
      Field extra = byColumn.values().iterator().next();
      throw invalid(
          entityType,
          extra,
          "maps column '"
              + column(extra)
              + "', which migration '"
              + migration.id()
              + "' does not map");
    }
    return result;
  }

  private static String column(Field field) {
    String declared = field.getAnnotation(Migrated.class).column();
    String name = declared.isBlank() ? snakeCase(field.getName()) : declared;
    return name.toLowerCase(Locale.ROOT);
  }

  static String snakeCase(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static InvalidMigrationException invalid(Class<?> type, Field field, String what) {
    return new InvalidMigrationException(
        "@Migrated field " + type.getSimpleName() + "." + field.getName() + " " + what);
  }

  public Class<?> entityType() {
    return entityType;
  }

  public Collection<String> migrationIds() {
    return fieldsByMigration.keySet();
  }

  /** The entity's values for one migration, in mapping order. */
  public List<Object> values(String migrationId, Object entity) {
    return fieldsByMigration.get(migrationId).stream()
        .map(field -> ReflectionUtils.getField(field, entity))
        .collect(Collectors.toList());
  }

  /** Every migrated field's value, by migration. */
  Map<String, List<Object>> allValues(Object entity) {
    Map<String, List<Object>> all = new LinkedHashMap<>();
    fieldsByMigration.keySet().forEach(id -> all.put(id, values(id, entity)));
    return all;
  }

  /** Sets the entity's fields of one migration; null values clear them. */
  public void set(String migrationId, Object entity, List<Object> values) {
    List<Field> fields = fieldsByMigration.get(migrationId);
    for (int i = 0; i < fields.size(); i++) {
      Object value = values == null ? null : values.get(i);
      ReflectionUtils.setField(fields.get(i), entity, convert(value, fields.get(i).getType()));
    }
  }

  /** Copies every migrated field from one instance of the entity to another. */
  public void copy(Object from, Object to) {
    for (List<Field> fields : fieldsByMigration.values()) {
      for (Field field : fields) {
        ReflectionUtils.setField(field, to, ReflectionUtils.getField(field, from));
      }
    }
  }

  private static Object convert(Object value, Class<?> type) {
    if (value == null || type.isInstance(value)) {
      return value;
    }
    if (type == String.class) {
      return value.toString();
    }
    if (value instanceof Number n) {
      if (type == Long.class || type == long.class) {
        return n.longValue();
      }
      if (type == Integer.class || type == int.class) {
        return n.intValue();
      }
    }
    throw new IllegalStateException(
        "cannot assign a " + value.getClass().getName() + " to a field of type " + type.getName());
  }
}
