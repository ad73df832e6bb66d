package dev.expandcontract.spring.repository;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One Hibernate session's record of migrated fields, by entity instance (identity, never equals):
 * the values loaded into or last written from each instance, so a save sees what changed and an
 * instance whose fields were never loaded is told apart from one that holds them; and the instances
 * hydrated by the load in progress, so a query's results are filled with one read per migration.
 */
final class LoadedValues {

  private final Map<Object, Map<String, List<Object>>> values = new IdentityHashMap<>();
  private final Map<Object, Object> hydrated = new IdentityHashMap<>();
  private final Set<Object> filledAhead = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Hibernate set the instance's mapped state; its migrated fields follow at post-load. */
  void hydrated(Object instance, Object key) {
    hydrated.put(instance, key);
  }

  /**
   * The instances to fill when {@code instance} finished loading: every instance the load hydrated
   * that is still unfilled (they finish loading next), by key; empty when a previous fill already
   * covered it.
   */
  Map<Object, Object> toFill(Object instance, Object key, Class<?> type) {
    if (filledAhead.remove(instance)) {
      return Map.of();
    }
    Map<Object, Object> byKey = new LinkedHashMap<>();
    byKey.put(key, instance);
    hydrated.remove(instance);
    for (Map.Entry<Object, Object> other : new ArrayList<>(hydrated.entrySet())) {
      if (type.isInstance(other.getKey())) {
        hydrated.remove(other.getKey());
        // A proxy being initialised is announced at pre-load, its target at post-load: same key.
        if (byKey.putIfAbsent(other.getValue(), other.getKey()) == null) {
          filledAhead.add(other.getKey());
        }
      }
    }
    return byKey;
  }

  /** The instance now holds what the database holds for it (loaded, or just written). */
  void remember(Object instance, Map<String, List<Object>> current) {
    values.put(instance, current);
  }

  /** Hibernate hydrated the instance, but its migrated fields are not filled (yet). */
  boolean isHydratedUnfilled(Object instance) {
    return hydrated.containsKey(instance);
  }

  /** The instance holds values loaded or written (not a new instance the application built). */
  boolean isRemembered(Object instance) {
    return values.containsKey(instance);
  }

  /** The session detached every instance. */
  void clear() {
    values.clear();
    hydrated.clear();
    filledAhead.clear();
  }

  /**
   * The migrations whose values the instance changed since they were last loaded or written: only
   * those need a write, as plain JPA writes nothing for an unchanged entity.
   */
  List<String> changed(Object instance, Map<String, List<Object>> current) {
    Map<String, List<Object>> before = values.getOrDefault(instance, Map.of());
    return current.entrySet().stream()
        .filter(e -> !Objects.equals(before.get(e.getKey()), e.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }
}
