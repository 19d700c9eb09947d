package dev.lethe.spec;

import dev.lethe.data.Split;
import java.util.EnumSet;
import java.util.List;

/** Checks of a stage's split list. */
final class Splits {
    private Splits() {}

    /** {@code splits}, copied, when it is non-empty and without repeats. */
    static List<Split> distinct(List<Split> splits, String stage) {
        if (splits.isEmpty()) {
            throw new IllegalArgumentException(stage + ": splits must name at least one split");
        }
        if (EnumSet.copyOf(splits).size() != splits.size()) {
            throw new IllegalArgumentException(stage + ": splits must be distinct, were " + splits);
        }
        return List.copyOf(splits);
    }
}
