package dev.expandcontract.core.flags;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.store.MigrationState;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.ff4j.FF4j;
import org.ff4j.cache.FF4jCacheProxy;
import org.ff4j.core.Feature;
import org.ff4j.core.FeatureStore;
import org.ff4j.core.FlippingExecutionContext;
import org.ff4j.core.FlippingStrategy;
import org.ff4j.exception.FeatureAccessException;
import org.ff4j.exception.FeatureAlreadyExistException;
import org.ff4j.exception.FeatureNotFoundException;
import org.ff4j.property.Property;
import org.ff4j.property.PropertyLong;
import org.ff4j.store.JdbcFeatureStore;
import org.ff4j.strategy.AbstractFlipStrategy;

/**
 * FF4j features per migration: {@code <id>.write-new}, {@code <id>.write-old}, {@code
 * <id>.read-new} (with a sticky percentage strategy) and {@code <id>.shadow-read}, in group {@code
 * expand-contract}, each carrying the state version it was written for. Operators see them in any
 * FF4j console, and an application's own {@code ff4j.check} answers as the router routes; the
 * library reads and writes them in the store behind FF4j's cache, never through the cache.
 */
public final class Ff4jMigrationFlags implements MigrationFlags {

  static final String GROUP = "expand-contract";
  static final String STATE_VERSION = "expand-contract-state-version";

  private final FF4j ff4j;

  public Ff4jMigrationFlags(FF4j ff4j) {
    this.ff4j = ff4j;
  }

  public static String feature(String migrationId, String flag) {
    return migrationId + "." + flag;
  }

  @Override
  public void createStoreIfAbsent() {
    if (store() instanceof JdbcFeatureStore jdbc) {
      Ff4jSchema.createIfAbsent(jdbc.getDataSource(), jdbc);
    }
  }

  @Override
  public void apply(MigrationState state) {
    String id = state.id();
    FlagValues flags = FlagValues.prescribedBy(state);
    long version = state.version();
    save(feature(id, "write-new"), true, null, version);
    save(feature(id, "write-old"), flags.writeOld(), null, version);
    save(
        feature(id, "read-new"),
        flags.readPercent() > 0,
        new StickyPercentageStrategy(flags.readPercent()),
        version);
    save(feature(id, "shadow-read"), flags.shadowRead(), null, version);
  }

  @Override
  public Optional<FlagValues> load(String migrationId) {
    Feature readNew = read(feature(migrationId, "read-new"));
    Feature writeOld = read(feature(migrationId, "write-old"));
    Feature shadowRead = read(feature(migrationId, "shadow-read"));
    if (readNew == null || writeOld == null || shadowRead == null) {
      return Optional.empty();
    }
    List<Long> versions =
        Stream.of(readNew, writeOld, shadowRead).map(Ff4jMigrationFlags::stateVersion).toList();
    boolean allVersioned = versions.stream().allMatch(Objects::nonNull);
    List<Long> known = versions.stream().filter(Objects::nonNull).toList();
    return Optional.of(
        new FlagValues(
            readPercent(readNew),
            writeOld.isEnable(),
            shadowRead.isEnable(),
            allVersioned ? Collections.min(known) : null,
            known.isEmpty() ? null : Collections.max(known)));
  }

  /** The store itself: a cache in front of it may hold what another instance already changed. */
  private FeatureStore store() {
    FeatureStore store = ff4j.getFeatureStore();
    return store instanceof FF4jCacheProxy cache ? cache.getTargetFeatureStore() : store;
  }

  private Feature read(String uid) {
    FeatureStore store = store();
    try {
      return store.exist(uid) ? store.read(uid) : null;
    } catch (FeatureNotFoundException e) {
      return null; // deleted between the two calls
    }
  }

  private void save(String uid, boolean enabled, AbstractFlipStrategy strategy, long version) {
    Feature wanted = new Feature(uid, enabled, "expand-contract flag, driven by the phase", GROUP);
    wanted.setFlippingStrategy(strategy);
    wanted.addProperty(new PropertyLong(STATE_VERSION, version));
    Feature stored = read(uid);
    try {
      if (stored == null) {
        ff4j.getFeatureStore().create(wanted);
      } else if (!same(stored, wanted)) {
        // Through FF4j's store, so that a cache in front of it drops its copy too.
        ff4j.getFeatureStore().update(wanted);
      }
    } catch (FeatureAlreadyExistException | FeatureNotFoundException e) {
      // Another instance created or replaced it meanwhile; the next refresh compares it again.
    } catch (FeatureAccessException e) {
      // FF4j's update deletes a feature's properties and inserts them again, outside any
      // transaction: two instances writing the same flags back collide on the primary key. The
      // other wrote this state's flags or a newer state's; the next refresh compares again.
      if (!Jdbc.isDuplicateKey(e)) {
        throw e;
      }
    }
  }

  private static boolean same(Feature stored, Feature wanted) {
    return stored.isEnable() == wanted.isEnable()
        && Objects.equals(stateVersion(stored), stateVersion(wanted))
        && Objects.equals(initParams(stored), initParams(wanted));
  }

  private static Map<String, String> initParams(Feature feature) {
    FlippingStrategy strategy = feature.getFlippingStrategy();
    return strategy == null ? null : strategy.getInitParams();
  }

  private static Long stateVersion(Feature feature) {
    Property<?> property =
        feature.getCustomProperties() == null
            ? null
            : feature.getCustomProperties().get(STATE_VERSION);
    if (property == null || property.asString() == null) {
      return null;
    }
    try {
      return Long.valueOf(property.asString());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The share of keys the feature sends to new; -1 for a strategy the library does not set. */
  private static int readPercent(Feature readNew) {
    if (!readNew.isEnable()) {
      return 0;
    }
    FlippingStrategy strategy = readNew.getFlippingStrategy();
    if (strategy == null) {
      return 100;
    }
    if (!(strategy instanceof StickyPercentageStrategy sticky)) {
      return -1;
    }
    return sticky.percent;
  }

  /** FF4j strategy reading new for a sticky share of keys; see {@link StickyPercentage}. */
  public static final class StickyPercentageStrategy extends AbstractFlipStrategy {

    static final String KEY = "expandContractKey";
    private static final String PERCENT = "percent";
    private int percent;

    /** For FF4j, which instantiates stored strategies reflectively. */
    public StickyPercentageStrategy() {}

    public StickyPercentageStrategy(int percent) {
      this.percent = percent;
      initParams.put(PERCENT, String.valueOf(percent));
    }

    @Override
    public void init(String featureName, Map<String, String> params) {
      super.init(featureName, params);
      assertRequiredParameter(PERCENT);
      this.percent = Integer.parseInt(params.get(PERCENT));
    }

    @Override
    public boolean evaluate(
        String featureName, FeatureStore store, FlippingExecutionContext context) {
      if (context == null || !context.containsKey(KEY)) {
        return percent >= 100;
      }
      String migrationId = featureName.substring(0, featureName.lastIndexOf('.'));
      return StickyPercentage.readsNew(migrationId, context.getString(KEY), percent);
    }
  }
}
