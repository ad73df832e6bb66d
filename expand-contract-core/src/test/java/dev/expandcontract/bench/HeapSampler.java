package dev.expandcontract.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Samples the JVM's used heap from a background thread every few milliseconds and keeps the peak.
 * Coarse by nature: "used" includes garbage not yet collected, and a peak between two samples is
 * missed.
 */
final class HeapSampler implements AutoCloseable {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peak;
  private volatile long samples;

  private HeapSampler(long intervalMillis) {
    peak = usedHeap();
    thread =
        new Thread(
            () -> {
              while (running) {
                long used = usedHeap();
                if (used > peak) {
                  peak = used;
                }
                samples++;
                try {
                  Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  static HeapSampler start(long intervalMillis) {
    return new HeapSampler(intervalMillis);
  }

  static long usedHeap() {
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  /** Used heap after asking for a full collection twice and letting it settle. */
  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return usedHeap();
  }

  long peak() {
    return Math.max(peak, usedHeap());
  }

  long samples() {
    return samples;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
