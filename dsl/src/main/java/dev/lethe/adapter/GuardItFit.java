package dev.lethe.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.data.QaExample;
import dev.lethe.model.ActivationHook;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GatedSteering;
import dev.lethe.model.Scalars;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * GUARD-IT's offline step (Turani, Parraga et al. 2026, arXiv 2605.12765, §3): from one unlearning request's forget
 * documents, and the retain documents as contrast, the entries it appends to a model's {@link GatedSteering} bank.
 * No training, no gradients: forward passes only.
 *
 * <ol>
 *   <li>Every document (a question–answer example, formatted and tokenized as the model scores it) is pooled at the
 *       output of block L: p = mean of the block's output over the document's real positions but the first (the
 *       {@code <bos>}), read before any steering of that block (the state the gate sees).
 *   <li>Retain: μ_r = mean of p, ρ_r = mean of ‖p‖, over the retain documents given.
 *   <li>The forget documents are clustered by KMeans on e = (p − μ_r)/‖p − μ_r‖ (the embedding the gate compares,
 *       centred on the retain mean and unit-normalised as sentence encoders' embeddings are), K the best silhouette
 *       in 2..{@code maxClusters} ({@link KMeans#best}).
 *   <li>Per cluster: μ_f = mean of p, ρ_f = mean of ‖p‖; the steering vector v = μ_f − (μ_f·μ_r/(‖μ_r‖² + ε))·μ_r
 *       (the part of the cluster's mean orthogonal to the retain mean), rescaled to norm (ρ_f + ρ_r)/2.
 * </ol>
 *
 * <p>A later request appends its own entries (its centre μ_r recomputed on the retain documents then given); the
 * entries before are kept as they are — the natural reading of the paper's continual unlearning without retraining.
 */
public final class GuardItFit {
    private static final double EPS = 1e-8;

    private GuardItFit() {}

    /**
     * How a request is fitted.
     *
     * @param layer the steered block's output, 1-based
     * @param threshold T, the gate's cosine threshold
     * @param strength c of the edit h − c·v̄
     * @param maxClusters the largest K tried (the paper's 20)
     * @param batchSize documents per forward pass
     * @param seed the KMeans seed
     */
    public record Settings(int layer, double threshold, double strength, int maxClusters, int batchSize, long seed) {}

    /**
     * A request's result.
     *
     * @param bank the bank with the request's entries appended
     * @param clusters the clustering of the request's forget documents
     */
    public record Fitted(GatedSteering bank, KMeans.Clusters clusters) {}

    /**
     * {@code existing} (null: an empty bank) with the clusters of {@code forget} appended as one more request.
     *
     * @throws IllegalArgumentException when {@code forget} or {@code retain} is empty, or {@code existing} steers
     *     another block, or with another threshold or strength
     */
    public static Fitted append(CausalLm model, Tokenizer tokenizer, List<QaExample> forget,
            List<QaExample> retain, Settings settings, @Nullable GatedSteering existing) {
        if (forget.isEmpty() || retain.isEmpty()) {
            throw new IllegalArgumentException("guard_it: needs forget and retain examples, had " + forget.size()
                    + " and " + retain.size());
        }
        if (existing != null && (existing.layer() != settings.layer() || existing.threshold() != settings.threshold()
                || existing.strength() != settings.strength())) {
            throw new IllegalArgumentException("guard_it: the model's steering bank has layer " + existing.layer()
                    + ", threshold " + existing.threshold() + " and strength " + existing.strength()
                    + "; a later request must use the same (was " + settings.layer() + ", " + settings.threshold()
                    + ", " + settings.strength() + ")");
        }
        double[][] r = pooled(model, tokenizer, retain, settings.layer(), settings.batchSize());
        double[][] f = pooled(model, tokenizer, forget, settings.layer(), settings.batchSize());
        int width = r[0].length;
        double[] retainMean = mean(r);
        double retainNorm = meanNorm(r);
        double[][] embedded = new double[f.length][];
        for (int i = 0; i < f.length; i++) {
            embedded[i] = unit(minus(f[i], retainMean));
        }
        KMeans.Clusters clusters = KMeans.best(embedded, settings.maxClusters(), settings.seed());
        GatedSteering bank = existing != null ? existing
                : GatedSteering.empty(settings.layer(), settings.threshold(), settings.strength(), width);
        int request = bank.requests();
        List<GatedSteering.Entry> entries = new ArrayList<>();
        for (int c = 0; c < clusters.k(); c++) {
            List<double[]> members = new ArrayList<>();
            for (int i = 0; i < f.length; i++) {
                if (clusters.labels()[i] == c) {
                    members.add(f[i]);
                }
            }
            if (members.isEmpty()) {
                continue;
            }
            double[][] m = members.toArray(double[][]::new);
            double[] v = steeringVector(mean(m), meanNorm(m), retainMean, retainNorm);
            entries.add(new GatedSteering.Entry(request, floats(retainMean), floats(clusters.centers()[c]), floats(v)));
        }
        return new Fitted(bank.plus(entries), clusters);
    }

    /**
     * GUARD-IT's steering vector of one cluster: v = μ_f − (μ_f·μ_r/(‖μ_r‖² + ε))·μ_r with ε = 1e-8, rescaled to
     * norm (ρ_f + ρ_r)/2 (left as it is when it is 0).
     */
    public static double[] steeringVector(double[] forgetMean, double forgetNorm, double[] retainMean,
            double retainNorm) {
        double fr = dot(forgetMean, retainMean);
        double rr = dot(retainMean, retainMean);
        double[] v = new double[forgetMean.length];
        for (int j = 0; j < v.length; j++) {
            v[j] = forgetMean[j] - fr / (rr + EPS) * retainMean[j];
        }
        double norm = Math.sqrt(dot(v, v));
        double target = (forgetNorm + retainNorm) / 2;
        if (norm > 0) {
            for (int j = 0; j < v.length; j++) {
                v[j] *= target / norm;
            }
        }
        return v;
    }

    /**
     * Each document's mean output of block {@code layer} (1-based) over its real positions but the first, without
     * the model's steering (the gate's input), in double precision.
     */
    public static double[][] pooled(CausalLm model, Tokenizer tokenizer, List<QaExample> examples, int layer,
            int batchSize) {
        List<Encoded> encoded = new ArrayList<>();
        for (Encoded e : Encoded.all(tokenizer, examples)) {
            encoded.add(e.fit(model.spec().contextLength()));
        }
        double[][] out = new double[encoded.size()][];
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int start = 0; start < encoded.size(); start += batchSize) {
                List<Encoded> chunk = encoded.subList(start, Math.min(encoded.size(), start + batchSize));
                try (NDScope scope = new NDScope()) {
                    Batch batch = Batch.of(chunk, tokenizer, model.manager());
                    NDArray[] seen = new NDArray[1];
                    ActivationHook reader = (block, position, hidden) -> {
                        if (block == layer - 1 && position == ActivationHook.Position.LEAVING) {
                            seen[0] = hidden;
                        }
                        return hidden;
                    };
                    model.architecture().forward(model.baseWeights(), batch.inputs(), false, Map.of(), List.of(reader));
                    NDArray mask = batch.inputMask();
                    mask.set(new NDIndex().addAllDim().addIndices(0), 0f);
                    NDArray h = seen[0].toType(DataType.FLOAT32, false);
                    NDArray sums = h.mul(mask.expandDims(-1)).sum(new int[] {1});
                    NDArray counts = mask.sum(new int[] {1}, true);
                    NDArray pooled = sums.div(counts.maximum(Scalars.scalar(counts, 1)));
                    float[] flat = pooled.toFloatArray();
                    int width = (int) h.getShape().get(2);
                    for (int r = 0; r < chunk.size(); r++) {
                        double[] p = new double[width];
                        for (int j = 0; j < width; j++) {
                            p[j] = flat[r * width + j];
                        }
                        out[start + r] = p;
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(recording);
        }
        return out;
    }

    private static double[] mean(double[][] rows) {
        double[] m = new double[rows[0].length];
        for (double[] r : rows) {
            for (int j = 0; j < m.length; j++) {
                m[j] += r[j] / rows.length;
            }
        }
        return m;
    }

    private static double meanNorm(double[][] rows) {
        double s = 0;
        for (double[] r : rows) {
            s += Math.sqrt(dot(r, r));
        }
        return s / rows.length;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = a[j] - b[j];
        }
        return out;
    }

    private static double[] unit(double[] a) {
        double n = Math.sqrt(dot(a, a));
        double[] out = a.clone();
        if (n > 0) {
            for (int j = 0; j < out.length; j++) {
                out[j] /= n;
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    private static float[] floats(double[] a) {
        float[] out = new float[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = (float) a[j];
        }
        return out;
    }
}
