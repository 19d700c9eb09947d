package dev.lethe.run;

import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The examples one optimisation step drew, split by split: each split's batch is drawn from its stream the
 * first time the step asks for it, once per step. {@link #micro} gives micro-batch {@code j} of {@code k} of the
 * same draws (gradient accumulation): part {@code j} of each split's batch, the batch cut into {@code k}
 * contiguous parts whose sizes differ by at most one, larger ones first.
 */
final class Draws {
    private final Map<Split, BatchStream> streams;
    private final Map<Split, List<Encoded>> examples;
    private final Map<Split, int[]> indices;
    private final int part;
    private final int parts;

    private Draws(Map<Split, BatchStream> streams, Map<Split, List<Encoded>> examples, Map<Split, int[]> indices,
            int part, int parts) {
        this.streams = streams;
        this.examples = examples;
        this.indices = indices;
        this.part = part;
        this.parts = parts;
    }

    /** A step's draws from {@code streams}, none drawn yet. */
    static Draws of(Map<Split, BatchStream> streams) {
        return new Draws(streams, new EnumMap<>(Split.class), new EnumMap<>(Split.class), 0, 1);
    }

    /** Micro-batch {@code j} (from 0) of {@code k} of this step's draws; they share the draws. */
    Draws micro(int j, int k) {
        if (k < 1 || j < 0 || j >= k) {
            throw new IllegalArgumentException("micro-batch " + j + " of " + k);
        }
        return new Draws(streams, examples, indices, j, k);
    }

    /** The splits the stage provides. */
    Set<Split> provided() {
        return streams.keySet();
    }

    /** This (micro-)batch's examples of {@code split}, drawing the step's batch of it on first use. */
    List<Encoded> examples(Split split) {
        List<Encoded> all = drawn(split);
        return all.subList(from(all.size(), part, parts), from(all.size(), part + 1, parts));
    }

    /** Their positions in the split's example list, in the same order ({@link BatchStream#lastIndices()}). */
    int[] indices(Split split) {
        drawn(split);
        int[] all = Objects.requireNonNull(indices.get(split));
        return Arrays.copyOfRange(all, from(all.length, part, parts), from(all.length, part + 1, parts));
    }

    /** Their questions, in the same order ({@link BatchStream#question}; empty where unknown). */
    List<String> questions(Split split) {
        BatchStream stream = Objects.requireNonNull(streams.get(split));
        return Arrays.stream(indices(split)).mapToObj(stream::question).toList();
    }

    /** The whole step's examples of {@code split}, drawn on first use. */
    List<Encoded> whole(Split split) {
        return drawn(split);
    }

    private List<Encoded> drawn(Split split) {
        @Nullable List<Encoded> cached = examples.get(split);
        if (cached != null) {
            return cached;
        }
        BatchStream stream = streams.get(split);
        if (stream == null) {
            // a recipe problem (e.g. train_on: passages with a split that has none), not a bug
            throw new IllegalArgumentException("the objective asks for the " + split.id()
                    + " split, which this stage does not provide (it has no examples, or no passages with "
                    + "train_on: passages); it has " + streams.keySet());
        }
        List<Encoded> drawn = List.copyOf(stream.next());
        examples.put(split, drawn);
        indices.put(split, stream.lastIndices());
        return drawn;
    }

    /** Where part {@code j} of {@code k} of {@code n} rows starts: the first {@code n % k} parts are one longer. */
    static int from(int n, int j, int k) {
        return j * (n / k) + Math.min(j, n % k);
    }
}
