package dev.expandcontract.core.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class StickyPercentageTest {

  private static final String MIGRATION = "customer-email";
  private static final int KEYS = 10_000;

  private static Set<Long> readingNew(String migration, int percent) {
    return LongStream.rangeClosed(1, KEYS)
        .filter(key -> StickyPercentage.readsNew(migration, key, percent))
        .boxed()
        .collect(Collectors.toSet());
  }

  @Test
  void tenPercentOfSequentialKeysReadNewWithinOneAndAHalfPoints() {
    assertThat(readingNew(MIGRATION, 10).size()).isBetween(850, 1150);
  }

  @Test
  void raisingThePercentageOnlyMovesKeysFromOldToNew() {
    Set<Long> atTen = readingNew(MIGRATION, 10);
    Set<Long> atFifty = readingNew(MIGRATION, 50);

    assertThat(atFifty).containsAll(atTen);
    assertThat(atFifty.size()).isBetween(4850, 5150);
  }

  @Test
  void everyKeyIsMonotoneOverEveryStepOfTheRamp() {
    for (long key = 1; key <= 1_000; key++) {
      boolean before = false;
      for (int percent = 0; percent <= 100; percent++) {
        boolean now = StickyPercentage.readsNew(MIGRATION, key, percent);
        assertThat(!before || now).as("key %d at %d%%", key, percent).isTrue();
        before = now;
      }
    }
  }

  @Test
  void aKeyAlwaysGoesTheSameWay() {
    for (long key = 1; key <= 1_000; key++) {
      assertThat(StickyPercentage.readsNew(MIGRATION, key, 37))
          .isEqualTo(StickyPercentage.readsNew(MIGRATION, key, 37))
          .isEqualTo(StickyPercentage.readsNew(MIGRATION, String.valueOf(key), 37));
    }
  }

  @Test
  void zeroPercentReadsNothingNewAndHundredEverything() {
    assertThat(readingNew(MIGRATION, 0)).isEmpty();
    assertThat(readingNew(MIGRATION, 100)).hasSize(KEYS);
  }

  @Test
  void uuidKeysSpreadToo() {
    long readingNew =
        LongStream.range(0, KEYS)
            .mapToObj(i -> UUID.nameUUIDFromBytes(("customer-" + i).getBytes()))
            .filter(key -> StickyPercentage.readsNew(MIGRATION, key, 10))
            .count();
    assertThat(readingNew).isBetween(850L, 1150L);
  }

  @Test
  void eachMigrationPicksItsOwnKeys() {
    // Two migrations ramping at 10% should not expose the same customers to both changes.
    Set<Long> email = readingNew("customer-email", 10);
    Set<Long> address = readingNew("customer-address", 10);
    email.retainAll(address);
    assertThat(email.size()).as("keys reading new in both").isLessThan(250); // independent: ~100
  }

  @Test
  void bucketsLieInZeroToTenThousand() {
    for (long key = -500; key <= 500; key++) {
      assertThat(StickyPercentage.bucket(MIGRATION, key)).isBetween(0, 9_999);
    }
  }
}
