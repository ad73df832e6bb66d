package dev.expandcontract.spring.autoconfigure;

import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.spring.autoconfigure.ExpandContractProperties.ColumnProperties;
import dev.expandcontract.spring.autoconfigure.ExpandContractProperties.MigrationProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns {@code expand-contract.migrations.*} into core migrations, naming the bad property. */
final class ConfiguredMigrations {

  private ConfiguredMigrations() {}

  static List<Migration> from(Map<String, MigrationProperties> configured) {
    List<Migration> migrations = new ArrayList<>();
    configured.forEach((id, p) -> migrations.add(from(id, p)));
    return migrations;
  }

  private static Migration from(String id, MigrationProperties p) {
    String prefix = "expand-contract.migrations." + id + ".";
    if (p.kind() == null) {
      throw new InvalidMigrationException(prefix + "kind must be set to column or table");
    }
    if (p.columns() == null || p.columns().isEmpty()) {
      throw new InvalidMigrationException(prefix + "columns must map at least one column");
    }
    Migration.Builder<?> builder =
        p.kind() == MigrationKind.COLUMN
            ? Migration.column(id).table(p.table()).key(p.key())
            : Migration.table(id)
                .from(p.table())
                .key(p.key())
                .into(p.newTable())
                .newKey(p.newKey());
    for (int i = 0; i < p.columns().size(); i++) {
      ColumnProperties c = p.columns().get(i);
      if (c.old() == null || c.newColumn() == null) {
        throw new InvalidMigrationException(
            prefix + "columns[" + i + "] needs both 'old' and 'new'");
      }
      builder.map(c.old()).to(c.newColumn()).using(c.transform());
      if (c.reverse() != null) {
        builder.reverse(c.reverse());
      }
    }
    try {
      return builder.backfill(p.backfillSettings()).build();
    } catch (IllegalArgumentException e) {
      throw new InvalidMigrationException(prefix + e.getMessage(), e);
    }
  }
}
