package dev.lethe.run;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Derives independent, reproducible seeds from the recipe seed and a label. */
public final class Seeds {
    private Seeds() {}

    /** A seed for the random stream called {@code label} (e.g. {@code "learn.init"}). */
    public static long derive(long seed, String label) {
        long h = 0xcbf29ce484222325L;
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new SplittableRandom(seed ^ h).nextLong();
    }

    /** A seed for step {@code step} of the stream {@code label}. */
    public static long derive(long seed, String label, long step) {
        return new SplittableRandom(derive(seed, label) + step * 0x9e3779b97f4a7c15L).nextLong();
    }
}
