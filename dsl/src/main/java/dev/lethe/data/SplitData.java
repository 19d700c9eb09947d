package dev.lethe.data;

import java.util.List;

/**
 * Everything a dataset holds for one split: what an evaluation suite measures a model on.
 *
 * @param split the split
 * @param examples its question-answer examples
 * @param passages its passages (may be empty)
 * @param choices its multiple-choice questions (may be empty)
 */
public record SplitData(Split split, List<QaExample> examples, List<Passage> passages,
        List<MultipleChoice> choices) {

    /** Copies the lists. */
    public SplitData {
        examples = List.copyOf(examples);
        passages = List.copyOf(passages);
        choices = List.copyOf(choices);
    }

    /** Only question-answer examples, no passages or choices. */
    public static SplitData of(Split split, List<QaExample> examples) {
        return new SplitData(split, examples, List.of(), List.of());
    }
}
