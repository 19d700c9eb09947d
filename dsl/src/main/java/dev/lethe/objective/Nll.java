package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.list;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Negative log-likelihood of the answers of one or more splits: the mean of avgNLL (the per-token NLL of
 * each answer, prompt masked) over every example of this step's batches of those splits, i.e. the NLL of
 * the union. The fine-tuning loss of the learn stage (forget ∪ retain ∪ world), and the retain term of
 * GradDiff.
 *
 * @param splits the splits whose answers are learned
 */
public record Nll(List<Split> splits) implements SplitObjective, Objective.ExampleMean {
    /** The objective {@code nll}. */
    public static final Kind<Nll> KIND = Kind.of("nll", Nll.class, "NLL of the answers of the union of the splits",
            List.of(Param.of("splits", list(Split.TYPE, 1), List.of(Split.RETAIN), "the splits", Nll::splits)),
            a -> new Nll(a.<Split>list("splits")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Copies and checks the split list. */
    public Nll {
        if (splits.isEmpty()) {
            throw new IllegalArgumentException("nll needs at least one split");
        }
        splits = List.copyOf(splits);
    }

    /** NLL of one split. */
    public Nll(Split split) {
        this(List.of(split));
    }

    /** The NLL of {@code split} alone, whatever splits this one reads. */
    @Override
    public Nll on(Split split) {
        return new Nll(split);
    }

    /** Averages over the examples of the union of {@link #splits()} (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return splits;
    }

    @Override
    public NDArray loss(Step step) {
        NDArray total = null;
        long count = 0;
        for (Split s : splits) {
            if (!step.has(s)) {
                continue; // a micro-batch without rows of s: its share of the union counts none of them
            }
            NDArray perExample = step.scores(s).meanNll();
            count += perExample.getShape().get(0);
            NDArray sum = perExample.sum();
            total = total == null ? sum : total.add(sum);
        }
        return Scalars.dividedBy(total, count);
    }
}
