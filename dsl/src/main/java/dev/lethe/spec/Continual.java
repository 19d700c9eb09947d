package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.part;

import dev.lethe.data.Split;
import dev.lethe.eval.Suite;
import dev.lethe.eval.Suites;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
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
    /** The {@code continual} of a training stage. */
    public static final Kind<Continual> KIND = Kind.of("continual", Continual.class,
            "evaluate every k steps during the stage (the stability gap, De Lange et al. 2023)",
            List.of(Param.required("every", longInteger(1), "steps between two points", (Continual x) -> x.every()),
                    Param.of("suites", list(part(Suite.SLOT), 0), List.of(Suites.answers()),
                            "what to measure (keep it cheap)", (Continual x) -> x.suites()),
                    Param.of("splits", list(Split.TYPE, 0), List.of(Split.FORGET, Split.RETAIN), "where",
                            (Continual x) -> x.splits())),
            a -> new Continual(a.longInteger("every"), a.list("suites"), a.list("splits")));

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
        return KIND.create(java.util.Map.of("every", k));
    }
}
