package dev.lethe;

import dev.lethe.data.Split;
import dev.lethe.eval.Suite;
import dev.lethe.eval.Suites;
import java.util.List;

/**
 * What the {@code evaluate} stage measures: every suite on every split, for each model the run produced
 * (learned, reference, unlearned).
 *
 * @param suites the metric suites
 * @param splits the splits to measure on
 */
public record Evaluation(List<Suite> suites, List<Split> splits) {

    /** Copies the lists. */
    public Evaluation {
        suites = List.copyOf(suites);
        splits = List.copyOf(splits);
    }

    /** The answer, TOFU and privacy suites on all four splits. */
    public static Evaluation defaults() {
        return new Evaluation(List.of(Suites.answers(), Suites.tofu(), Suites.privacy()), List.of(Split.values()));
    }

    /** {@code suites} on all four splits. */
    public static Evaluation of(Suite... suites) {
        return new Evaluation(List.of(suites), List.of(Split.values()));
    }
}
