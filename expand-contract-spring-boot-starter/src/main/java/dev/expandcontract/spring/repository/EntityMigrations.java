package dev.expandcontract.spring.repository;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.sql.ColumnType;
import dev.expandcontract.core.sql.MigrationSchema;
import dev.expandcontract.spring.Migrated;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link Migrated} fields of one entity type, grouped by migration and ordered like the
 * migration's column mappings, so a field list lines up with the core's value lists. A field's type
 * says which schema's values it holds: one the old column holds (a {@code String} for a VARCHAR)
 * holds old values, one that only the new column holds (a {@code BigDecimal} for the NUMERIC it
 * moves to) holds new values.
 */
public final class EntityMigrations {

  private final Class<?> entityType;
  private final Map<String, List<Field>> fieldsByMigration;
  private final Map<String, ValueForm> formByMigration;

  private EntityMigrations(
      Class<?> entityType,
      Map<String, List<Field>> fieldsByMigration,
      Map<String, ValueForm> formByMigration) {
    this.entityType = entityType;
    this.fieldsByMigration = fieldsByMigration;
    this.formByMigration = formByMigration;
  }

  /**
   * Binds the entity's {@link Migrated} fields to the declared migrations; empty when it has none.
   * Every mapping of a migration the entity names needs a field, every field a mapping, and every
   * field a type that its old or its new column holds.
   */
  public static Optional<EntityMigrations> of(
      Class<?> entityType, Function<String, Optional<MigratedRows>> migrations) {
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
    Map<String, ValueForm> forms = new LinkedHashMap<>();
    annotated.forEach(
        (id, fields) -> {
          MigratedRows rows =
              migrations
                  .apply(id)
                  .orElseThrow(
                      () ->
                          invalid(
                              entityType,
                              fields.get(0),
                              "names migration '" + id + "', which is not declared"));
          List<Field> inOrder = orderLikeMappings(entityType, rows.migration(), fields);
          ordered.put(id, inOrder);
          forms.put(id, form(entityType, rows, inOrder));
        });
    return Optional.of(new EntityMigrations(entityType, ordered, forms));
  }

  /**
   * Which schema's values the fields of one migration hold, from their types: new when a field's
   * type only the new column holds, old when one only the old column holds; fields both hold follow
   * the others (old when all do, or when the old column's type is no longer known because a
   * contract dropped it before the library recorded it).
   */
  private static ValueForm form(Class<?> entityType, MigratedRows rows, List<Field> fields) {
    MigrationSchema schema = rows.schema();
    List<String> oldOnly = new ArrayList<>();
    List<String> newOnly = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      Field field = fields.get(i);
      ColumnType oldType =
          schema.oldColumnTypes().isEmpty() ? null : schema.oldColumnTypes().get(i);
      ColumnType newType = schema.newColumnTypes().get(i);
      boolean heldByOld = oldType == null || oldType.holds(field.getType());
      boolean heldByNew = newType.holds(field.getType());
      if (!heldByOld && !heldByNew) {
        throw invalid(
            entityType,
            field,
            isA(field)
                + "neither old column "
                + oldColumn(schema, i)
                + " nor new column "
                + newColumn(schema, i)
                + " holds: declare it with a type one of them holds (the old one's to hold old"
                + " values, the new one's to hold new values)");
      }
      if (heldByOld != heldByNew) {
        (heldByOld ? oldOnly : newOnly).add(field.getName());
      }
    }
    if (!oldOnly.isEmpty() && !newOnly.isEmpty()) {
      throw new InvalidMigrationException(
          "entity "
              + entityType.getName()
              + ": the @Migrated fields of migration '"
              + rows.migration().id()
              + "' mix types only the old columns hold "
              + oldOnly
              + " with types only the new columns hold "
              + newOnly
              + ": type all of them for one schema");
    }
    if (newOnly.isEmpty()) {
      return ValueForm.OLD;
    }
    for (int i = 0; i < fields.size(); i++) {
      ColumnMapping mapping = rows.migration().columns().get(i);
      if (mapping.reverseJavaTransform().isEmpty() && mapping.reverseTransform().isEmpty()) {
        throw invalid(
            entityType,
            fields.get(i),
            isA(fields.get(i))
                + "new column "
                + newColumn(schema, i)
                + " holds and old column "
                + oldColumn(schema, i)
                + (newOnly.contains(fields.get(i).getName()) ? " does not" : " too")
                + ": the fields of migration '"
                + rows.migration().id()
                + "' hold new values, and writing them to the old column needs a reverse:"
                + " declare reverseJava(...) on the bean or 'reverse' (SQL over the new columns)"
                + " in its configuration");
      }
    }
    return ValueForm.NEW;
  }

  private static String isA(Field field) {
    return "is a " + field.getType().getSimpleName() + ", which ";
  }

  private static String oldColumn(MigrationSchema schema, int i) {
    ColumnType type = schema.oldColumnTypes().isEmpty() ? null : schema.oldColumnTypes().get(i);
    return schema.oldTable() + "." + schema.oldColumns().get(i) + describe(type);
  }

  private static String newColumn(MigrationSchema schema, int i) {
    return schema.newTable()
        + "."
        + schema.newColumns().get(i)
        + describe(schema.newColumnTypes().get(i));
  }

  private static String describe(ColumnType type) {
    return type == null ? "" : " (" + type.declared() + ")";
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

  /** Which schema's values the entity's fields of one migration hold. */
  public ValueForm form(String migrationId) {
    return formByMigration.get(migrationId);
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

  /**
   * A value as JDBC returned it, as the field's type: exactly for text, UUIDs and integer and
   * decimal types (an ArithmeticException when it does not fit), as the nearest double for a double
   * field.
   */
  private static Object convert(Object value, Class<?> type) {
    if (value == null || type.isInstance(value)) {
      return value;
    }
    if (type == String.class) {
      return value instanceof BigDecimal decimal ? decimal.toPlainString() : value.toString();
    }
    if (type == UUID.class && value instanceof String text) {
      return UUID.fromString(text.strip());
    }
    if (value instanceof Number n) {
      BigDecimal exact = new BigDecimal(n.toString());
      if (type == BigDecimal.class) {
        return exact;
      }
      if (type == BigInteger.class) {
        return exact.toBigIntegerExact();
      }
      if (type == Long.class || type == long.class) {
        return exact.longValueExact();
      }
      if (type == Integer.class || type == int.class) {
        return exact.intValueExact();
      }
      if (type == Short.class || type == short.class) {
        return exact.shortValueExact();
      }
      if (type == Double.class || type == double.class) {
        return n.doubleValue();
      }
    }
    throw new IllegalStateException(
        "cannot assign a " + value.getClass().getName() + " to a field of type " + type.getName());
  }
}
