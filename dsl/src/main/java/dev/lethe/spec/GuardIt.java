package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.real;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import dev.lethe.part.ParamTypes.Range;
import java.util.List;
import java.util.Map;

/**
 * The {@code guard_it} stage: GUARD-IT, inference-time unlearning by gated activation redirection (Turani, Parraga
 * et al. 2026, "Inference-Time Machine Unlearning via Gated Activation Redirection", arXiv 2605.12765). No training
 * and no gradients: a copy of the current model (same weights) gets a steering bank
 * ({@code dev.lethe.model.GatedSteering}) fitted on the forget split with the retain split as contrast
 * ({@code dev.lethe.adapter.GuardItFit}), applied in every forward pass from then on — evaluation, generation,
 * attacks (a quantized copy is the quantized weights plus the same steering; relearning fine-tunes the weights under
 * it) and later stages. It becomes the current model, called {@code unlearned}.
 *
 * <p>Sequential requests add to the bank without retraining: with {@code requests > 1} the forget split is cut into
 * that many contiguous chunks as a sequential {@code unlearn} cuts it, each appended in turn (and evaluated, as
 * {@code unlearn.request<i>}); a later {@code guard_it} stage on a steered model appends its requests after the
 * bank's, with the same layer, threshold and strength. The bank is checkpointed with the model (in its safetensors
 * file) after each request.
 *
 * @param layer the block whose output is steered (1-based), or {@link #QUARTER} for {@code max(1, blocks/4)} (the
 *     paper's layer 4 of Llama-3.2-1B's 16 on TOFU), or {@link #MIDDLE} for {@code max(1, blocks/2)}
 * @param threshold T: a cluster's edit is on where the cosine of the running embedding to its centroid exceeds T
 *     (the paper's default 0.5; its README 0.55)
 * @param strength c of h' = h − c·v̄, applied literally (the README's c = −0.3, swept over −0.8..0)
 * @param maxClusters the largest K that the silhouette search tries (K in 2..maxClusters; the paper's 20)
 * @param requests sequential requests the forget split is cut into
 * @param batchSize documents per forward pass while fitting
 */
public record GuardIt(int layer, double threshold, double strength, int maxClusters, int requests, int batchSize)
        implements Stage {
    /** The layer value meaning {@code max(1, blocks/2)}. */
    public static final int MIDDLE = -1;
    /** The layer value meaning {@code max(1, blocks/4)}. */
    public static final int QUARTER = -2;

    /** The {@code guard_it} stage in recipe files. */
    public static final Kind<GuardIt> KIND = Kind.of("guard_it", GuardIt.class,
            "GUARD-IT (arXiv 2605.12765): unlearn without training by a gated, norm-preserving rotation of the "
                    + "residual stream at one block, fitted on the forget split (KMeans clusters, silhouette K) against "
                    + "the retain split; it becomes the current model, unlearned, weights untouched",
            List.of(Param.of("layer", ParamTypes.layer(Map.of("quarter", QUARTER, "middle", MIDDLE), 1), QUARTER,
                            "the block whose output is steered (1-based), or quarter (max(1, blocks/4)) or middle",
                            (GuardIt x) -> x.layer()),
                    Param.of("threshold", real(Range.closed(-1, 1)), 0.5, "the gate's cosine threshold T",
                            (GuardIt x) -> x.threshold()),
                    Param.of("strength", real(Range.any()), -0.3, "c of the edit h - c*v (applied literally; the "
                            + "authors' README uses -0.3)", (GuardIt x) -> x.strength()),
                    Param.of("max_clusters", integer(1), 20, "the largest number of KMeans clusters tried (2..this, "
                            + "best silhouette)", (GuardIt x) -> x.maxClusters()),
                    Param.of("requests", integer(1), 1, "sequential requests the forget split is cut into, each "
                            + "appended to the steering bank", (GuardIt x) -> x.requests()),
                    Param.of("batch_size", integer(1), 16, "documents per forward pass while fitting",
                            (GuardIt x) -> x.batchSize())),
            a -> new GuardIt(a.integer("layer"), a.real("threshold"), a.real("strength"), a.integer("max_clusters"),
                    a.integer("requests"), a.integer("batch_size")));

    /** Checks the numbers. */
    public GuardIt {
        if (layer < 1 && layer != MIDDLE && layer != QUARTER) {
            throw new IllegalArgumentException("guard_it: layer must be >= 1, QUARTER or MIDDLE, was " + layer);
        }
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException("guard_it: threshold must be in [-1, 1], was " + threshold);
        }
        if (!Double.isFinite(strength)) {
            throw new IllegalArgumentException("guard_it: strength must be finite, was " + strength);
        }
        if (maxClusters < 1 || requests < 1 || batchSize < 1) {
            throw new IllegalArgumentException("guard_it: max_clusters, requests and batch_size must be >= 1, were "
                    + maxClusters + ", " + requests + ", " + batchSize);
        }
    }

    /** The defaults: layer a quarter of the depth, T = 0.5, c = −0.3, K ≤ 20, one request, 16 per batch. */
    public static GuardIt defaults() {
        return (GuardIt) KIND.defaults();
    }

    /** The block this stage steers in a model of {@code blocks} blocks (1-based). */
    public int layerIn(int blocks) {
        return switch (layer) {
            case MIDDLE -> Math.max(1, blocks / 2);
            case QUARTER -> Math.max(1, blocks / 4);
            default -> layer;
        };
    }

    /** A copy steering block {@code newLayer} (1-based, or {@link #QUARTER} or {@link #MIDDLE}). */
    public GuardIt withLayer(int newLayer) {
        return new GuardIt(newLayer, threshold, strength, maxClusters, requests, batchSize);
    }

    /** A copy with the gate's threshold T. */
    public GuardIt withThreshold(double newThreshold) {
        return new GuardIt(layer, newThreshold, strength, maxClusters, requests, batchSize);
    }

    /** A copy with the strength c. */
    public GuardIt withStrength(double newStrength) {
        return new GuardIt(layer, threshold, newStrength, maxClusters, requests, batchSize);
    }

    /** A copy trying at most {@code k} clusters. */
    public GuardIt withMaxClusters(int k) {
        return new GuardIt(layer, threshold, strength, k, requests, batchSize);
    }

    /** A copy cutting the forget split into {@code k} sequential requests. */
    public GuardIt withRequests(int k) {
        return new GuardIt(layer, threshold, strength, maxClusters, k, batchSize);
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.UNLEARNED;
    }

    /** Checkpointed after each request (the bank travels in the model's file), though it trains no weights. */
    @Override
    public boolean checkpointed() {
        return true;
    }
}
