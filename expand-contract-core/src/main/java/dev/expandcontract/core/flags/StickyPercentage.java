package dev.expandcontract.core.flags;

import java.nio.charset.StandardCharsets;

/**
 * Puts every key of a migration in a fixed bucket 0..9999. A key reads new when its bucket is below
 * percent × 100, so a key always goes the same way at a given percentage and raising the percentage
 * only ever moves keys from old to new.
 */
public final class StickyPercentage {

  private StickyPercentage() {}

  public static boolean readsNew(String migrationId, Object key, int percent) {
    return percent >= 100 || (percent > 0 && bucket(migrationId, key) < percent * 100);
  }

  static int bucket(String migrationId, Object key) {
    byte[] bytes = (migrationId + ':' + key).getBytes(StandardCharsets.UTF_8);
    long hash = 0xcbf29ce484222325L; // FNV-1a, then a murmur3 finalizer to spread sequential ids
    for (byte b : bytes) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    hash ^= hash >>> 33;
    hash *= 0xff51afd7ed558ccdL;
    hash ^= hash >>> 33;
    hash *= 0xc4ceb9fe1a85ec53L;
    hash ^= hash >>> 33;
    return (int) Long.remainderUnsigned(hash, 10_000);
  }
}
