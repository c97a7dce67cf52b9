package dev.quorum.workload;

import java.util.SplittableRandom;

/**
 * Picks keys {@code key-000000…}: uniformly, or Zipf-distributed (θ = 0.99, YCSB's generator after
 * Gray et al., "Quickly generating billion-record synthetic databases") so that a few keys are hot.
 * One per client thread; not thread-safe.
 */
final class KeyChooser {
    private static final double THETA = 0.99;

    private final int n;
    private final boolean zipfian;
    private final SplittableRandom random;
    private final double alpha;
    private final double zetan;
    private final double eta;

    /**
     * @param zetan {@link #zeta}{@code (keys)}, computed once and shared by every client (it sums
     *     {@code keys} terms)
     */
    KeyChooser(int keys, WorkloadSpec.KeyDistribution distribution, double zetan, SplittableRandom random) {
        this.n = keys;
        this.zipfian = distribution == WorkloadSpec.KeyDistribution.ZIPFIAN;
        this.random = random;
        double zeta2 = zeta(2);
        this.zetan = zetan;
        this.alpha = 1 / (1 - THETA);
        this.eta = (1 - Math.pow(2.0 / keys, 1 - THETA)) / (1 - zeta2 / zetan);
    }

    static double zeta(int n) {
        double sum = 0;
        for (int i = 1; i <= n; i++) {
            sum += 1 / Math.pow(i, THETA);
        }
        return sum;
    }

    int nextIndex() {
        if (!zipfian || n == 1) {
            return random.nextInt(n);
        }
        double u = random.nextDouble();
        double uz = u * zetan;
        if (uz < 1) {
            return 0;
        }
        if (uz < 1 + Math.pow(0.5, THETA)) {
            return 1;
        }
        return Math.min(n - 1, (int) (n * Math.pow(eta * u - eta + 1, alpha)));
    }

    static String name(String prefix, int index) {
        return prefix + String.format("key-%06d", index);
    }
}
