package dev.lethe.adapter;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.TokenScores;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoKU's Fisher-Initialization of Low-rank Adapters, FILA (Cha et al., ICLR 2025, "Towards Robust and
 * Parameter-Efficient Knowledge Unlearning for LLMs", the FILA section; procedure as in the authors' code,
 * {@code TOFU/measure_importance.py} and {@code TOFU/forget.py} of csm9493/efficient-llm-unlearning).
 *
 * <ol>
 *   <li>Empirical Fisher of each targeted weight on a data set D, one pass in batches:
 *       {@code F_D = Σ_b n_b·(∇_W L_b)² / Σ_b n_b}, where {@code L_b} is batch b's NLL averaged over its
 *       {@code n_b} answer tokens ({@link #fisher}).</li>
 *   <li>Relative importance, element-wise: {@code I = F_forget / (F_retain + ε)}, ε = 10⁻⁵
 *       ({@link #relativeImportance}).</li>
 *   <li>The weighted low-rank approximation {@code min ‖√I ⊙ (W − (α/r)·BA)‖} has no closed form; the
 *       authors' code simplifies it, as FWSVD does (Hsu et al., ICLR 2022, "Language Model Compression
 *       with Weighted Low-Rank Factorization"), to one weight per output unit, {@code w_j = √(Σ_i I_ij)}
 *       ({@link #outputWeights}), which turns it into a truncated SVD of {@code W·diag(w)}
 *       ({@link #factor}).</li>
 *   <li>With {@code W·diag(w) ≈ U·S·Vᵀ} (rank r) and {@code S' = S/(α/r)}: {@code A = U·√S'},
 *       {@code B = √S'·Vᵀ·diag(1/(w + ε))}, so {@code (α/r)·A·B ≈ W} on the important outputs; the base
 *       weight becomes the residual {@code W − (α/r)·A·B} and the model's function is unchanged.</li>
 * </ol>
 *
 * <p>Orientation: the authors' weights are PyTorch {@code Linear} (out, in) and they weight rows, i.e.
 * output units; Lethe's are {@code Conv1D} (in, out), so the same per-output weights scale columns here, and
 * A, B are the transposes of theirs (see {@link dev.lethe.model.LowRank}). Differences from their code:
 * the truncated SVD is exact (Jacobi, {@link TruncatedSvd}) where they call the randomised
 * {@code torch.svd_lowrank(q=r)}; the Fisher pass runs without dropout (their model is in train mode);
 * forget and retain are each passed over once in order rather than in paired, shuffled batches (the sums
 * do not depend on the order). "Retain" is the {@code RETAIN} split (TOFU's retain set), not {@code WORLD}.
 */
final class Fila {
    /** The ε of the relative importance and of the inverse output weights, as in the authors' code. */
    static final double EPS = 1e-5;

    private Fila() {}

    /**
     * The empirical Fisher {@code Σ_b n_b·g_b² / Σ_b n_b} of each weight in {@code names}, over one pass
     * through {@code examples} in batches of {@code batchSize}; {@code model} must be trainable. Leaves the
     * gradients zeroed.
     */
    static Map<String, double[]> fisher(CausalLm model, List<String> names, List<Encoded> examples,
            Tokenizer tokenizer, int batchSize) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("FILA needs forget and retain examples; a split is empty");
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (String n : names) {
            sums.put(n, new double[Math.toIntExact(model.weights().get(n).getShape().size())]);
        }
        long tokens = 0;
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<Encoded> chunk = examples.subList(from, Math.min(examples.size(), from + batchSize));
            try (NDScope scope = new NDScope()) {
                Batch batch = Batch.of(chunk, tokenizer, model.manager());
                long n = Math.round(batch.mask().sum().getFloat());
                model.weights().zeroGradients();
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    TokenScores scores = TokenScores.of(model.forward(batch.inputs(), false, false), batch);
                    collector.backward(scores.tokenLogProbs().sum().neg().div(scores.mask().sum()));
                }
                for (String name : names) {
                    accumulate(sums.get(name), model.weights().get(name).getGradient().toFloatArray(), n);
                }
                tokens += n;
            }
        }
        model.weights().zeroGradients();
        for (double[] s : sums.values()) {
            for (int i = 0; i < s.length; i++) {
                s[i] /= tokens;
            }
        }
        return sums;
    }

    /** {@code sum += tokens · gradient²}, element-wise: one batch's term of the empirical Fisher. */
    static void accumulate(double[] sum, float[] gradient, long tokens) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += tokens * (double) gradient[i] * gradient[i];
        }
    }

    /** {@code I = F_forget / (F_retain + ε)}, element-wise. */
    static double[] relativeImportance(double[] forget, double[] retain) {
        double[] out = new double[forget.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = forget[i] / (retain[i] + EPS);
        }
        return out;
    }

    /** {@code w_j = √(Σ_i I_ij)} for an importance laid out like a (in, out) weight, row-major. */
    static double[] outputWeights(double[] importance, int in, int out) {
        double[] w = new double[out];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                w[j] += importance[i * out + j];
            }
        }
        for (int j = 0; j < out; j++) {
            w[j] = Math.sqrt(w[j]);
        }
        return w;
    }

    /**
     * The initial adapters for the (in, out) weight {@code weight} (row-major) with per-output weights
     * {@code w}: {@code a} (in, r) and {@code b} (r, out), row-major, such that {@code scale·a·b} is the
     * rank-r approximation of {@code weight} that is best in the norm weighted by {@code w} on the columns.
     */
    static float[][] factor(float[] weight, int in, int out, double[] w, int rank, double scale) {
        double[][] m = new double[in][out];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                m[i][j] = weight[i * out + j] * w[j];
            }
        }
        TruncatedSvd svd = TruncatedSvd.of(m, rank);
        float[] a = new float[in * rank];
        float[] b = new float[rank * out];
        for (int k = 0; k < rank; k++) {
            double root = Math.sqrt(svd.s()[k] / scale);
            for (int i = 0; i < in; i++) {
                a[i * rank + k] = (float) (svd.u()[i][k] * root);
            }
            for (int j = 0; j < out; j++) {
                b[k * out + j] = (float) (root * svd.v()[j][k] / (w[j] + EPS));
            }
        }
        return new float[][] {a, b};
    }
}
