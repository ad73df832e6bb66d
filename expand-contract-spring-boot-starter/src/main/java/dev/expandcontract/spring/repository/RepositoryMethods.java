package dev.expandcontract.spring.repository;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.NativeQuery;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.core.RepositoryInformation;
import org.springframework.data.repository.query.parser.PartTree;

/**
 * What each method of one repository does to its entity, decided once per method from Spring Data's
 * {@link RepositoryInformation} (its base-class CRUD methods, its query methods and their
 * annotations), never from the name at each call.
 */
final class RepositoryMethods {

  /** What a repository method does, as far as the dual write is concerned. */
  enum Kind {
    /** Returns entities or values; every entity it loads is filled by the Hibernate listener. */
    READ,
    /** Persists or merges entities: the interceptor dual-writes them. */
    SAVE,
    /**
     * Removes entities one by one through the persistence context ({@code delete}, {@code
     * deleteById}, {@code deleteAll}, a derived {@code deleteBy…}/{@code removeBy…}): Hibernate's
     * post-delete event removes each new row.
     */
    REMOVE,
    /**
     * One JPQL delete of given entities or ids: the interceptor removes the same keys' new rows.
     */
    BATCH_DELETE_KEYS,
    /**
     * One JPQL delete of every row: the interceptor deletes key by key what existed when called.
     */
    BATCH_DELETE_ALL,
    /** A {@code @Modifying} query: a bulk statement no dual write can follow, refused. */
    MODIFYING,
    /** An interface default method: what it calls on the repository is intercepted on its own. */
    DEFAULT
  }

  private static final Set<String> SAVES =
      Set.of("save", "saveAndFlush", "saveAll", "saveAllAndFlush");
  private static final Set<String> REMOVES =
      Set.of("delete", "deleteById", "deleteAll", "deleteAllById");
  private static final Set<String> BATCH_DELETES =
      Set.of("deleteAllInBatch", "deleteAllByIdInBatch");

  private final RepositoryInformation repository;
  private final Map<Method, Kind> kinds = new ConcurrentHashMap<>();

  RepositoryMethods(RepositoryInformation repository) {
    this.repository = repository;
    repository.getQueryMethods().forEach(this::kind); // the query methods up front, at start-up
  }

  Kind kind(Method method) {
    return kinds.computeIfAbsent(method, this::classify);
  }

  private Kind classify(Method method) {
    if (method.isDefault()) {
      return Kind.DEFAULT;
    }
    if (repository.isQueryMethod(method)) {
      if (AnnotatedElementUtils.hasAnnotation(method, Modifying.class)) {
        return Kind.MODIFYING;
      }
      boolean declaredQuery =
          AnnotatedElementUtils.hasAnnotation(method, Query.class)
              || AnnotatedElementUtils.hasAnnotation(method, NativeQuery.class);
      return !declaredQuery && isDerivedDelete(method) ? Kind.REMOVE : Kind.READ;
    }
    if (repository.isBaseClassMethod(method)) {
      String name = method.getName();
      if (SAVES.contains(name)) {
        return Kind.SAVE;
      }
      if (REMOVES.contains(name)) {
        return Kind.REMOVE;
      }
      if (BATCH_DELETES.contains(name)) {
        return method.getParameterCount() == 0 ? Kind.BATCH_DELETE_ALL : Kind.BATCH_DELETE_KEYS;
      }
    }
    return Kind.READ;
  }

  /** Spring Data's own parse of the name, as its query lookup made it at start-up. */
  private boolean isDerivedDelete(Method method) {
    try {
      return new PartTree(method.getName(), repository.getDomainType()).isDelete();
    } catch (RuntimeException namedQuery) {
      return false; // not a derived query: a named query resolved by the method's name
    }
  }

  String describe(Method method) {
    return repository.getRepositoryInterface().getSimpleName() + "." + method.getName();
  }
}
