package dev.lethe;

import dev.lethe.data.Split;
import dev.lethe.eval.Suite;
import dev.lethe.eval.Suites;
import java.util.List;

/**
 * Continual evaluation of a training stage (De Lange, van de Ven and Tuytelaars 2023, "Continual evaluation
 * for lifelong learning: identifying the stability gap", ICLR 2023): {@code suites} on {@code splits} of the
 * model being trained, before its first step, after every {@code every}-th step and after its last step. Any
 * training stage can have one ({@code learn}, {@code finetune}, {@code reference}, {@code unlearn} — each
 * request of a sequential one —, {@code relearn}), and an {@code attack} stage for its relearning attacks.
 * The points are rows of the run's table whose stage is the training stage and whose step is the number of
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

    /**
     * Every {@code k} steps, the cheap default: the answer suite (teacher-forced, one forward pass per batch)
     * on the forget and retain splits.
     */
    public static Continual every(long k) {
        return new Continual(k, List.of(Suites.answers()), List.of(Split.FORGET, Split.RETAIN));
    }
}
