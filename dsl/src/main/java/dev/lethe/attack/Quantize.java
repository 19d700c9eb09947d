package dev.lethe.attack;

import static dev.lethe.part.ParamTypes.integer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Role;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.List;

/**
 * Round-to-nearest symmetric per-output-channel quantization of every weight matrix to {@code bits} bits,
 * stored back as float ("fake quantization"), after Zhang et al. 2024, "Catastrophic Failure of LLM
 * Unlearning via Quantization" (arXiv:2410.16454), who show that int4 quantization of an unlearned model
 * can bring much of the forgotten knowledge back.
 *
 * <p>With {@code q = 2^(bits−1) − 1} (127 for int8, 7 for int4) and one scale per output channel j,
 * {@code scale_j = max_i |W_ij| / q} and {@code W ← round(W / scale) · scale}, the quotient lying in
 * [−q, q]. Projections are stored (in, out) (see {@link dev.lethe.model.Architecture}), so the output channel
 * is the last axis and the maximum runs over the first. The embedding tables ({@link Role#TOKEN_EMBEDDING},
 * {@link Role#POSITION_EMBEDDING}; (entries, width)) are quantized per row, i.e. one scale per token or
 * position vector (a tied output head, as GPT-2's, is the token embedding, whose output channel is the
 * token, so per row is per output channel there too).
 * Rounding is libtorch's: halves go to the even neighbour. A channel of zeros stays zero. Biases and layer
 * norms (every rank-1 parameter) are left as they are.
 *
 * @param bits bits per weight, 2 to 16 (8 and 4 are the usual)
 */
public record Quantize(int bits) implements ModelAttack {
    /** The attack {@code quantize}. */
    public static final Kind<Quantize> KIND = Kind.of("quantize", Quantize.class,
            "round-to-nearest quantization of the weights",
            List.of(Param.of("bits", integer(2, 16), 4, "bits per weight", Quantize::bits)),
            a -> new Quantize(a.integer("bits")));

    /** Checks the bit count. */
    public Quantize {
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("bits must be in [2, 16], was " + bits);
        }
    }

    /** {@code quantize<bits>}, e.g. {@code quantize4}. */
    @Override
    public String name() {
        return "quantize" + bits;
    }

    @Override
    public void attackWeights(CausalLm copy, AttackContext context) {
        inPlace(copy.weights(), bits);
    }

    /**
     * Quantizes every matrix of {@code weights} in place (biases and layer norms untouched); the arrays with
     * an embedding role ({@link Role#isEmbedding()}) per row.
     *
     * @throws IllegalArgumentException when {@code weights} carry no roles (they are not a model's)
     */
    public static void inPlace(Weights weights, int bits) {
        if (weights.roles().isEmpty()) {
            throw new IllegalArgumentException("quantization needs a model's weights, whose roles tell the embedding "
                    + "tables (quantized per row) from the projections; these have no roles");
        }
        weights.forEach((name, w) -> {
            if (Weights.isBiasOrNorm(name, w)) {
                return;
            }
            try (NDScope scope = new NDScope()) {
                w.set(new NDIndex(":"), quantized(w, bits, isEmbedding(name, weights) ? 1 : 0));
            }
        });
    }

    /** Whether array {@code name} of {@code weights} is an embedding table, stored (entries, width). */
    static boolean isEmbedding(String name, Weights weights) {
        return weights.rolesOf(name).stream().anyMatch(m -> m.role().isEmbedding());
    }

    /**
     * A new array: {@code w} quantized with one scale per slice, the maximum taken along {@code reduceAxis}
     * (0 for a (in, out) matrix: one scale per output column; 1 for an embedding: one scale per row).
     * Not for use inside an autograd graph.
     */
    public static NDArray quantized(NDArray w, int bits, int reduceAxis) {
        float q = (float) ((1 << (bits - 1)) - 1);
        NDArray maxAbs = w.abs().max(new int[] {reduceAxis}, true);
        NDArray scale = maxAbs.div(q);
        NDArray safe = scale.add(scale.eq(0f).toType(DataType.FLOAT32, false));
        return w.div(safe).round().clip(-q, q).mul(safe);
    }
}
