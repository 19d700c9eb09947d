package dev.lethe.data;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything a dataset holds for one split: what an evaluation suite measures a model on.
 *
 * @param split the split
 * @param examples its question-answer examples
 * @param passages its passages (may be empty)
 * @param choices its multiple-choice questions (may be empty)
 * @param muse what MUSE's files hold for the split beyond its training texts; null for data not read from
 *     MUSE's files
 */
public record SplitData(Split split, List<QaExample> examples, List<Passage> passages,
        List<MultipleChoice> choices, @Nullable MuseProbes muse) {

    /** Copies the lists. */
    public SplitData {
        examples = List.copyOf(examples);
        passages = List.copyOf(passages);
        choices = List.copyOf(choices);
    }

    /** A split without MUSE's probes. */
    public SplitData(Split split, List<QaExample> examples, List<Passage> passages, List<MultipleChoice> choices) {
        this(split, examples, passages, choices, null);
    }

    /** Only question-answer examples, no passages or choices. */
    public static SplitData of(Split split, List<QaExample> examples) {
        return new SplitData(split, examples, List.of(), List.of());
    }
}
