package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.real;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.List;

/**
 * The {@code attribute} stage of datamodel matching (Georgiev et al. 2024, "Attribute-to-Delete: Machine Unlearning
 * via Datamodel Matching", arXiv:2410.23232, §3): estimates, for every output of the current model on the examples
 * of {@code targets}, the effect Σ_{i∈F} β_i of the forget examples, from a datamodel (Ilyas et al. 2022) fitted on
 * {@code models} models trained on random subsets of the training data. Each subset model is trained as a
 * {@code learn} stage would be ({@code training} on {@code splits}, from scratch, or from the model {@code from}
 * names), with each forget example kept with probability {@code fraction} ({@code subsets: graded}, the default:
 * a probability per model, spread evenly around it; the other splits whole: the regression
 * then has |F| + 1 unknowns per output, few enough for a handful of models, and it estimates each forget example's
 * effect with the retain data present, which is the effect the target needs); the outputs are the logits at every
 * answer position over the vocabulary, regressed on the inclusion indicators by ridge with {@code ridge}
 * ({@code Datamodel}). The stage leaves no model: later unlearning stages read the shifts
 * ({@link dev.lethe.objective.DatamodelMatching}). When the run has a reference model, it also reports
 * {@code kl_to_reference} of the paper's "DM-direct" prediction f_θ₀ − Σ_{i∈F} β (model {@code dm_direct}) and of
 * f_θ₀ itself, on the target splits.
 *
 * <p>The subset models are trained one after the other in this process (a sweep executor, issue 19, is the place to
 * spread them); the result is kept in the model cache under a hash of the recipe text and content the stage read, so
 * a second run of the same attribution reuses it.
 *
 * @param training the training of each subset model (match the learn stage whose model is unlearned)
 * @param splits the splits each subset model trains on (forget subsampled, the others whole)
 * @param texts question-answer pairs, passages or both (a forget passage is kept when a kept example is about its
 *     subject)
 * @param from {@value Reference#SCRATCH}, or the name of the model each subset model starts from
 * @param models N, how many subset models
 * @param fraction the probability that a forget example is in a subset model's data, in (0, 1) (the mean over the
 *     models with {@link Subsets#GRADED})
 * @param subsets fixed or graded inclusion probabilities
 * @param ridge λ ≥ 0 of the regression (0: least squares, which needs more models than forget examples)
 * @param targets the splits whose examples' outputs are predicted (those the unlearning objective matches on)
 */
public record Attribution(Training training, List<Split> splits, Texts texts, String from, int models,
        double fraction, Subsets subsets, double ridge, List<Split> targets) implements Stage {

    /** How the subset models' inclusion probabilities are chosen. */
    public enum Subsets {
        /** Every model keeps each forget example with probability {@code fraction} (the paper's α = 0.5). */
        FIXED,
        /**
         * Model n of N keeps each forget example with probability α_n, spread evenly with mean {@code fraction}:
         * α_n = 2·fraction·u_n for fraction ≤ 0.5, else 1 − 2·(1 − fraction)·(1 − u_n), u_n = (n + ½)/N. With few
         * models the summed effect Σ_{i∈F} β is then identifiable: at a fixed α the subset sizes barely vary, the
         * all-forget direction is nearly absent from the centred design, and ridge (or least squares' minimum norm)
         * shrinks the sum towards 0.
         */
        GRADED
    }

    /** The {@code attribute} stage in recipe files. */
    public static final Kind<Attribution> KIND = Kind.of("attribute", Attribution.class,
            "fit a datamodel on models trained on random subsets of the forget split; datamodel_matching reads its "
                    + "prediction (Georgiev et al. 2024, Attribute-to-Delete)",
            params(), a -> new Attribution(TrainingParams.training(a), a.list("splits"), a.get("train_on"),
                    a.text("from"), a.integer("models"), a.real("fraction"), a.get("subsets"), a.real("ridge"), a.list("targets")));

    private static List<Param> params() {
        List<Param> out = new java.util.ArrayList<>(TrainingParams.of(Learn.DEFAULT_SPLITS,
                (Attribution x) -> x.training(), (Attribution x) -> x.splits(), (Attribution x) -> x.texts(),
                Param.of("from", text(), Reference.SCRATCH, "scratch, or the name of an earlier stage's model each "
                        + "subset model starts from", (Attribution x) -> x.from()),
                Param.of("models", integer(2), 8, "how many subset models are trained", (Attribution x) -> x.models()),
                Param.of("fraction", real(Range.open(0, 1)), 0.5, "probability that a forget example is in a subset",
                        (Attribution x) -> x.fraction()),
                Param.of("subsets", choice(Subsets.class), Subsets.GRADED, "fixed: every model keeps a forget example "
                        + "with probability fraction; graded: model n with probability spread evenly around fraction",
                        (Attribution x) -> x.subsets()),
                Param.of("ridge", real(Range.nonNegative()), 0.1, "ridge λ of the regression (0: least squares)",
                        (Attribution x) -> x.ridge()),
                Param.of("targets", list(Split.TYPE, 1), List.of(Split.FORGET, Split.RETAIN),
                        "the splits whose outputs are predicted", (Attribution x) -> x.targets())));
        out.removeIf(p -> p.name().equals("continual")); // nothing is kept to evaluate continually
        return List.copyOf(out);
    }

    /** Checks the numbers and the splits. */
    public Attribution {
        splits = Splits.distinct(splits, "attribute");
        targets = Splits.distinct(targets, "attribute targets");
        if (!splits.contains(Split.FORGET)) {
            throw new IllegalArgumentException("attribute: the subset models must train on the forget split (splits "
                    + "were " + splits + "): its examples are the ones whose inclusion varies");
        }
        if (models < 2) {
            throw new IllegalArgumentException("attribute: models must be >= 2, was " + models);
        }
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("attribute: fraction must be in (0, 1), was " + fraction);
        }
        if (!(ridge >= 0) || !Double.isFinite(ridge)) {
            throw new IllegalArgumentException("attribute: ridge must be finite and >= 0, was " + ridge);
        }
        if (from.isBlank()) {
            throw new IllegalArgumentException("attribute: from must be 'scratch' or a model's name, was blank");
        }
    }

    /** {@code training} for each of {@code models} subset models, otherwise the kind's defaults (graded subsets). */
    public static Attribution of(Training training, int models) {
        return new Attribution(training, Learn.DEFAULT_SPLITS, Texts.BOTH, Reference.SCRATCH, models, 0.5,
                Subsets.GRADED, 0.1, List.of(Split.FORGET, Split.RETAIN));
    }

    /** A copy with another ridge λ. */
    public Attribution withRidge(double newRidge) {
        return new Attribution(training, splits, texts, from, models, fraction, subsets, newRidge, targets);
    }

    /** A copy whose subset models' inclusion probabilities are chosen as {@code newSubsets} says. */
    public Attribution withSubsets(Subsets newSubsets) {
        return new Attribution(training, splits, texts, from, models, fraction, newSubsets, ridge, targets);
    }

    /** A copy whose subset models keep each forget example with probability {@code newFraction}. */
    public Attribution withFraction(double newFraction) {
        return new Attribution(training, splits, texts, from, models, newFraction, subsets, ridge, targets);
    }

    /** A copy whose subset models start from the model called {@code newFrom} ({@value Reference#SCRATCH}: none). */
    public Attribution withFrom(String newFrom) {
        return new Attribution(training, splits, texts, newFrom, models, fraction, subsets, ridge, targets);
    }

    /** A copy that predicts the outputs on {@code newTargets}. */
    public Attribution withTargets(Split... newTargets) {
        return new Attribution(training, splits, texts, from, models, fraction, subsets, ridge, List.of(newTargets));
    }

    @Override
    public String kind() {
        return KIND.name();
    }
}
