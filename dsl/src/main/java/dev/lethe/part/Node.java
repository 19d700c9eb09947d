package dev.lethe.part;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed recipe document that remembers where each value was written, so that problems can name the line.
 * A map keeps its keys in file order.
 */
public sealed interface Node {
    /** Where the node starts (1-based line and column). */
    Location at();

    /**
     * A position in a file.
     *
     * @param line 1-based line
     * @param column 1-based column
     */
    record Location(int line, int column) {}

    /**
     * A mapping.
     *
     * @param entries the values by key, in file order
     * @param keys where each key was written
     * @param at where the mapping starts
     */
    record MapNode(Map<String, Node> entries, Map<String, Location> keys, Location at) implements Node {}

    /**
     * A sequence.
     *
     * @param items the items
     * @param at where the sequence starts
     */
    record ListNode(List<Node> items, Location at) implements Node {}

    /**
     * A scalar: a {@link String}, {@link Long}, {@link java.math.BigInteger}, {@link Double}, {@link Boolean}, or
     * null for YAML's {@code null} / an empty value.
     *
     * @param value the value
     * @param at where it was written
     */
    record Scalar(@Nullable Object value, Location at) implements Node {}
}
