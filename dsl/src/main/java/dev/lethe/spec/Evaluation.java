package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.part;

import dev.lethe.data.Split;
import dev.lethe.eval.Metric;
import dev.lethe.eval.Suite;
import dev.lethe.eval.Suites;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code evaluate} stage: every suite on every split, for each model the earlier stages left that no
 * earlier evaluate stage measured (in the order they were made: e.g. learned, reference, unlearned); with a
 * {@link Reference} model, also {@code kl_to_reference} on the forget and retain splits. The cross-model
 * metrics (forget quality, model utility, membership-inference AUCs, PrivLeak) are computed at the end of the
 * run over every model measured. An {@link Attacking} stage evaluates its attacked models with the suites
 * and splits of the next evaluate stage.
 *
 * <pre>{@code
 * Evaluation.defaults()                                  // every built-in suite on every split
 * Evaluation.of(tofu(), privacy())
 * }</pre>
 *
 * @param suites the metric suites
 * @param splits the splits to measure on
 */
public record Evaluation(List<Suite> suites, List<Split> splits) implements Stage {
    /** The {@code evaluate} stage in recipe files. */
    public static final Kind<Evaluation> KIND = Kind.of("evaluate", Evaluation.class,
            "every suite on every split of each model made since the last evaluation",
            List.of(Param.of("suites", list(part(Suite.SLOT), 0), List.of(Suites.answers(), Suites.tofu(),
                            Suites.muse(), Suites.multipleChoice(), Suites.privacy()), "the suites", (Evaluation x) -> x.suites()),
                    Param.of("splits", list(Split.TYPE, 0), List.of(Split.values()), "the splits", (Evaluation x) -> x.splits())),
            a -> new Evaluation(a.list("suites"), a.list("splits")));

    /** Copies the lists. */
    public Evaluation {
        suites = List.copyOf(suites);
        splits = List.copyOf(splits);
    }

    /** Every built-in suite (answers, TOFU, MUSE, multiple choice, privacy) on all four splits. */
    public static Evaluation defaults() {
        return KIND.defaults();
    }

    /** {@code suites} on all four splits. */
    public static Evaluation of(Suite... suites) {
        return new Evaluation(List.of(suites), List.of(Split.values()));
    }

    /** Every metric the suites declare, in suite order, without repeats. */
    public List<Metric> metrics() {
        List<Metric> out = new ArrayList<>();
        suites.forEach(s -> out.addAll(s.metrics()));
        return List.copyOf(Metric.byName(out).values());
    }

    /** A copy with {@code newSuites} instead of its suites. */
    public Evaluation withSuites(Suite... newSuites) {
        return new Evaluation(List.of(newSuites), splits);
    }

    /** A copy that measures on {@code newSplits}. */
    public Evaluation withSplits(Split... newSplits) {
        return new Evaluation(suites, List.of(newSplits));
    }

    @Override
    public String kind() {
        return KIND.name();
    }
}
