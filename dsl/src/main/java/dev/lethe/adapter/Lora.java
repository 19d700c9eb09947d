package dev.lethe.adapter;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.real;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Low-rank adapters for the unlearning stage (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language
 * Models"): each targeted projection {@code W₀} of every block becomes {@code W₀ + (α/r)·BA} (eq. 3, with
 * the §4.1 scaling α/r); only A and B are trained, and after the stage {@code (α/r)·BA} is merged into
 * {@code W₀}, so the unlearned model is a plain model again. Attach with
 * {@code Unlearning.of(npo()).adapters(Lora.rank(8).alpha(16))}.
 *
 * <p>Initialisation: {@link Init#STANDARD} draws A from PEFT's default Kaiming-uniform, U(−1/√in, 1/√in),
 * and sets B = 0, so training starts from the unchanged model (§4.1: "random Gaussian initialization for
 * A and zero for B"). {@link Init#FILA} is LoKU's Fisher-weighted initialisation (Cha et al., ICLR 2025,
 * "Towards Robust and Parameter-Efficient Knowledge Unlearning for LLMs"; see {@link Fila}): the adapters
 * start as the weighted rank-r approximation of the part of {@code W₀} that matters for the forget set
 * relative to the retain set, and {@code W₀} becomes the residual, so the function is again unchanged.
 * Adapter dropout (LoKU uses 0.05) is not applied: runs stay deterministic.
 *
 * @param rank r, at least 1
 * @param alpha α; the update is scaled by α/r
 * @param targets the projections that get adapters, in every block
 * @param init how A and B start
 */
public record Lora(int rank, double alpha, Set<LoraTarget> targets, Init init) {
    /** The {@code adapters} of an unlearning stage. */
    public static final Kind<Lora> KIND = Kind.of("lora", Lora.class,
            "LoRA adapters trained instead of the full model, merged back after the stage (Hu et al. 2021, eq. 3); "
                    + "FILA initialisation from LoKU (Cha et al. 2025)",
            List.of(Param.required("rank", integer(1), "rank r of BA"),
                    Param.optional("alpha", real(Range.positive()), "scale α (the update is (α/r)·BA); absent: α = r"),
                    Param.of("targets", list(choice(LoraTarget.class), 1),
                            List.of(LoraTarget.values()), "the projections of every block that get adapters"),
                    Param.of("init", choice(Init.class), Init.STANDARD,
                            "standard (A Kaiming-uniform, B = 0) or fila (Fisher-weighted, LoKU)")),
            a -> {
                int rank = a.integer("rank");
                Double alpha = a.get("alpha");
                List<LoraTarget> targets = a.list("targets");
                if (targets.size() != EnumSet.copyOf(targets).size()) {
                    throw new IllegalArgumentException("targets must be distinct, were " + targets);
                }
                return new Lora(rank, alpha == null ? rank : alpha, EnumSet.copyOf(targets), a.get("init"));
            },
            l -> List.of(l.rank(), l.alpha(), List.copyOf(l.targets()), l.init()));


    /** How the adapters start. */
    public enum Init {
        /** A ~ Kaiming-uniform, B = 0 (LoRA). */
        STANDARD,
        /** LoKU's Fisher-weighted low-rank approximation (FILA). */
        FILA
    }

    /** Validates the numbers and copies the targets. */
    public Lora {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, was " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be positive and finite, was " + alpha);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target projection");
        }
        targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
    }

    /**
     * Rank-{@code r} adapters on all four projections (attention q/k/v and output, MLP in and out, LoKU's
     * "all" targets) with α = r, i.e. scale 1 (LoRA §4.1 sets α to the first r tried and does not tune it),
     * standard initialisation.
     */
    public static Lora rank(int r) {
        return new Lora(r, r, EnumSet.allOf(LoraTarget.class), Init.STANDARD);
    }

    /** A copy with another α. */
    public Lora alpha(double newAlpha) {
        return new Lora(rank, newAlpha, targets, init);
    }

    /** A copy with adapters on {@code newTargets} only. */
    public Lora only(LoraTarget... newTargets) {
        return new Lora(rank, alpha, Set.copyOf(Arrays.asList(newTargets)), init);
    }

    /** A copy that starts from LoKU's Fisher-weighted initialisation (FILA) instead of B = 0. */
    public Lora fila() {
        return new Lora(rank, alpha, targets, Init.FILA);
    }

    /** The scaling α/r applied to BA. */
    public double scale() {
        return alpha / rank;
    }
}
