package dev.lethe.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An endless stream of mini-batches over a list of examples: each epoch visits every example once in an
 * order shuffled by a seeded generator, so the sequence of batches depends only on the seed.
 */
public final class BatchStream {
    private final List<Encoded> examples;
    private final List<String> questions;
    private final int batchSize;
    private final SplittableRandom random;
    private int[] order;
    private int position;
    private int[] last = new int[0];
    private long draws;

    /** A stream over {@code examples} in batches of {@code batchSize} (the last of an epoch may be smaller). */
    public BatchStream(List<Encoded> examples, int batchSize, long seed) {
        this(examples, List.of(), batchSize, seed);
    }

    /**
     * A stream over {@code examples} whose questions are {@code questions}, in the same order (empty for an example
     * without one, such as a passage), so that a step can give a drawn example another answer to the same question
     * ({@link #question}); an empty list leaves every question unknown.
     */
    public BatchStream(List<Encoded> examples, List<String> questions, int batchSize, long seed) {
        if (!questions.isEmpty() && questions.size() != examples.size()) {
            throw new IllegalArgumentException(questions.size() + " questions for " + examples.size() + " examples");
        }
        this.questions = List.copyOf(questions);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot stream batches from an empty split");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        this.examples = List.copyOf(examples);
        this.batchSize = batchSize;
        this.random = new SplittableRandom(seed);
        this.order = shuffled();
    }

    /** The next batch's examples. */
    public List<Encoded> next() {
        int start = advance();
        List<Encoded> out = new ArrayList<>(position - start);
        for (int i = start; i < position; i++) {
            out.add(examples.get(order[i]));
        }
        last = java.util.Arrays.copyOfRange(order, start, position);
        return out;
    }

    /**
     * How many batches {@link #next()} (and {@link #skip}) have drawn. A stream rebuilt with the same examples,
     * batch size and seed and then {@link #skip skipped} this many batches continues exactly where this one is:
     * how a resumed run restores its data order.
     */
    public long draws() {
        return draws;
    }

    /** Draws {@code batches} batches without building them, as if {@link #next()} had been called that often. */
    public void skip(long batches) {
        if (batches < 0) {
            throw new IllegalArgumentException("cannot skip " + batches + " batches");
        }
        for (long b = 0; b < batches; b++) {
            int start = advance();
            if (b == batches - 1) {
                last = java.util.Arrays.copyOfRange(order, start, position);
            }
        }
    }

    /** Moves past the next batch (reshuffling at an epoch's end); returns where it starts in {@code order}. */
    private int advance() {
        if (position >= order.length) {
            order = shuffled();
            position = 0;
        }
        int start = position;
        position = Math.min(order.length, position + batchSize);
        draws++;
        return start;
    }

    /**
     * The positions, in the example list this stream was built from, of the examples that the last call to
     * {@link #next()} returned, in the same order; empty before the first call. Lets a step attach per-example
     * data (such as {@link Refusals#forExample}) to the batch it drew.
     */
    public int[] lastIndices() {
        return last.clone();
    }

    /** The question of the example at {@code index} in the list this stream was built from; empty when unknown. */
    public String question(int index) {
        Objects.checkIndex(index, examples.size());
        return questions.isEmpty() ? "" : questions.get(index);
    }

    private int[] shuffled() {
        int[] o = new int[examples.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        for (int i = o.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }
}
