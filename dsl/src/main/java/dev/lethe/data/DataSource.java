package dev.lethe.data;

/** Where a recipe's examples come from: a generated benchmark, or files. */
@FunctionalInterface
public interface DataSource {
    /** The dataset; generated sources use {@code seed}. */
    Dataset load(long seed);
}
