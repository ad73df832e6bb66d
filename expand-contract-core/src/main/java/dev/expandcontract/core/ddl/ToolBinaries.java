package dev.expandcontract.core.ddl;

/**
 * The commands that start each online schema change tool: names looked up on the PATH, or paths.
 *
 * @param ptOnlineSchemaChange pt-online-schema-change (percona-toolkit)
 * @param ghost gh-ost
 * @param pgOnlineSchemaChange pg-online-schema-change (the pg-osc gem)
 * @param pgRepack pg_repack (postgresql-NN-repack)
 */
public record ToolBinaries(
    String ptOnlineSchemaChange, String ghost, String pgOnlineSchemaChange, String pgRepack) {

  public static final ToolBinaries ON_PATH =
      new ToolBinaries("pt-online-schema-change", "gh-ost", "pg-online-schema-change", "pg_repack");
}
