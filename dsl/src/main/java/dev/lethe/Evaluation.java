package dev.lethe;

import dev.lethe.data.Split;
import dev.lethe.eval.Metric;
import dev.lethe.eval.Suite;
import dev.lethe.eval.Suites;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code evaluate} stage measures: every suite on every split, for each model the run produced
 * (learned, reference, unlearned); and optionally what to measure continually while models are trained
 * by the unlearning stage and by relearning attacks.
 *
 * <pre>{@code
 * Evaluation.defaults().every(10)                       // answers on forget and retain every 10 steps
 * Evaluation.of(tofu()).continual(5, List.of(answers()), List.of(Split.FORGET))
 * }</pre>
 *
 * @param suites the metric suites
 * @param splits the splits to measure on
 * @param continual the continual evaluation, or null for none
 */
public record Evaluation(List<Suite> suites, List<Split> splits, @Nullable Continual continual) {

    /** Copies the lists. */
    public Evaluation {
        suites = List.copyOf(suites);
        splits = List.copyOf(splits);
    }

    /** {@code suites} on {@code splits}, without continual evaluation. */
    public Evaluation(List<Suite> suites, List<Split> splits) {
        this(suites, splits, null);
    }

    /**
     * Continual evaluation (De Lange, van de Ven and Tuytelaars 2023, "Continual evaluation for lifelong
     * learning: identifying the stability gap", ICLR 2023): {@code suites} on {@code splits} of the model
     * being trained, before its first step, after every {@code every}-th step and after its last step,
     * during the unlearning stage (each request of a sequential one) and during relearning attacks. The
     * points are rows of the run's table whose stage is the training stage and whose step is the number of
     * steps done; evaluation runs between steps, outside the step's scope, and never changes the training
     * trajectory.
     *
     * @param every steps between two points, at least 1
     * @param suites what to measure (keep it cheap: it runs many times)
     * @param splits where
     */
    public record Continual(long every, List<Suite> suites, List<Split> splits) {
        /** Checks {@code every} and copies the lists. */
        public Continual {
            if (every < 1) {
                throw new IllegalArgumentException("continual evaluation needs every >= 1 step, was " + every);
            }
            suites = List.copyOf(suites);
            splits = List.copyOf(splits);
        }
    }

    /** Every built-in suite (answers, TOFU, MUSE, multiple choice, privacy) on all four splits. */
    public static Evaluation defaults() {
        return new Evaluation(List.of(Suites.answers(), Suites.tofu(), Suites.muse(), Suites.multipleChoice(),
                Suites.privacy()), List.of(Split.values()));
    }

    /** {@code suites} on all four splits. */
    public static Evaluation of(Suite... suites) {
        return new Evaluation(List.of(suites), List.of(Split.values()));
    }

    /**
     * A copy that also evaluates continually every {@code k} steps with the cheap default: the answer suite
     * (teacher-forced, one forward pass per batch) on the forget and retain splits.
     */
    public Evaluation every(long k) {
        return continual(k, List.of(Suites.answers()), List.of(Split.FORGET, Split.RETAIN));
    }

    /**
     * Every metric the suites declare, the final ones first and then those of the continual evaluation, without
     * repeats.
     */
    public List<Metric> metrics() {
        List<Metric> out = new ArrayList<>();
        suites.forEach(s -> out.addAll(s.metrics()));
        if (continual != null) {
            continual.suites().forEach(s -> out.addAll(s.metrics()));
        }
        return List.copyOf(Metric.byName(out).values());
    }

    /** A copy that also evaluates {@code continualSuites} on {@code continualSplits} continually every {@code k} steps. */
    public Evaluation continual(long k, List<Suite> continualSuites, List<Split> continualSplits) {
        return new Evaluation(suites, splits, new Continual(k, continualSuites, continualSplits));
    }
}
