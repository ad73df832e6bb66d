package dev.expandcontract.core.flags;

import dev.expandcontract.core.store.MigrationState;
import java.util.Map;
import org.ff4j.FF4j;
import org.ff4j.core.Feature;
import org.ff4j.core.FeatureStore;
import org.ff4j.core.FlippingExecutionContext;
import org.ff4j.strategy.AbstractFlipStrategy;

/**
 * FF4j features per migration: {@code <id>.write-new}, {@code <id>.write-old}, {@code
 * <id>.read-new} (with a sticky percentage strategy) and {@code <id>.shadow-read}, in group {@code
 * expand-contract}. Operators see and flip them in any FF4j console.
 */
public final class Ff4jMigrationFlags implements MigrationFlags {

  static final String GROUP = "expand-contract";
  private final FF4j ff4j;

  public Ff4jMigrationFlags(FF4j ff4j) {
    this.ff4j = ff4j;
  }

  public static String feature(String migrationId, String flag) {
    return migrationId + "." + flag;
  }

  @Override
  public void apply(MigrationState state) {
    String id = state.id();
    boolean readNew = state.phase().mayReadNew() || state.resyncOld();
    int percent = state.phase().mustReadNew() || state.resyncOld() ? 100 : state.readPercent();
    save(feature(id, "write-new"), true, null);
    save(feature(id, "write-old"), state.phase().writesOld(), null);
    save(feature(id, "read-new"), readNew && percent > 0, new StickyPercentageStrategy(percent));
    save(feature(id, "shadow-read"), state.phase().allowsShadowReads(), null);
  }

  private void save(String uid, boolean enabled, AbstractFlipStrategy strategy) {
    FeatureStore store = ff4j.getFeatureStore();
    Feature wanted = new Feature(uid, enabled, "expand-contract flag, driven by the phase", GROUP);
    wanted.setFlippingStrategy(strategy);
    if (!store.exist(uid)) {
      store.create(wanted);
      return;
    }
    Feature current = store.read(uid);
    boolean sameStrategy =
        strategy == null
            ? current.getFlippingStrategy() == null
            : current.getFlippingStrategy() != null
                && strategy.getInitParams().equals(current.getFlippingStrategy().getInitParams());
    if (current.isEnable() != enabled || !sameStrategy) {
      store.update(wanted);
    }
  }

  @Override
  public boolean readNew(String migrationId, Object key) {
    FlippingExecutionContext context = new FlippingExecutionContext();
    context.addValue(StickyPercentageStrategy.KEY, String.valueOf(key));
    return check(feature(migrationId, "read-new"), context);
  }

  @Override
  public boolean writeOld(String migrationId) {
    return check(feature(migrationId, "write-old"), null);
  }

  @Override
  public boolean shadowRead(String migrationId) {
    return check(feature(migrationId, "shadow-read"), null);
  }

  private boolean check(String uid, FlippingExecutionContext context) {
    // A missing feature answers false; the router then falls back to the phase and reports it.
    return ff4j.getFeatureStore().exist(uid)
        && (context == null ? ff4j.check(uid) : ff4j.check(uid, context));
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
