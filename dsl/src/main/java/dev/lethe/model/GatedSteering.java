package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * GUARD-IT's steering bank (Turani, Parraga et al. 2026, "Inference-Time Machine Unlearning via Gated Activation
 * Redirection", arXiv 2605.12765, §3): a gate and a norm-preserving rotation of the residual stream at the output
 * of one block, which a {@link CausalLm} {@linkplain CausalLm#setSteering carries} and applies in every forward
 * pass it runs (teacher-forced, cached and recomputed generation, training). The weights are untouched.
 *
 * <p>The bank is a list of {@link Entry entries}, one per cluster of forget documents of each unlearning request,
 * appended in request order (a new request never changes the entries before it). At every position t of a row,
 * with h_t the block's output there:
 * <ol>
 *   <li><b>embedding</b>: p_t = mean of h_s over the row's real positions 1 ≤ s ≤ t (the first position, the
 *       {@code <bos>} every Lethe sequence starts with, is left out: its state is the same in every sequence);
 *   <li><b>gate</b> (the paper's cosine gate): s_k = cos(p_t − m_k, c_k) for each entry k, with m_k its request's
 *       centre and c_k its cluster's centroid; the active set A_t = {k : s_k > T}; A_t empty → no edit;
 *   <li><b>edit</b> (the paper's rotation): v̄ = mean of v_k over A_t, h' = h_t − c·v̄, h'' = h'·‖h_t‖/‖h'‖, a
 *       rotation of h_t inside span{h_t, v̄} that keeps its norm ({@link #rotate}).
 * </ol>
 * Where the gate is off the state passes through bit for bit. Choices the paper leaves open (its gate embeds the
 * text with a sentence encoder and is computed once per generation): the embedding is the model's own
 * mean-pooled state at the steered block, centred on the retain mean of its request so that cosines are not all
 * near 1 (hidden states share a large common direction); it is causal — the running mean of the positions so far
 * — so a teacher-forced score and a generation of the same text see the same gate at every position, and padding
 * (after a row, or masked before it) changes nothing.
 *
 * <p>Arrays are built per pass from the bank's host copy, in float32 whatever the stream's type, so a model and its
 * copies (quantized, cast to float16, fine-tuned) share one immutable bank.
 *
 * @param layer the block whose output is steered, 1-based (the output of block {@code layer}, {@code Step#hidden}'s
 *     numbering)
 * @param threshold T, the gate's cosine threshold
 * @param strength c of h − c·v̄, applied literally (the authors' README uses negative values)
 * @param width the residual width
 * @param entries the bank, in request order
 */
public record GatedSteering(int layer, double threshold, double strength, int width, List<Entry> entries) {
    private static final String SUM = "guard_it.sum";
    private static final String COUNT = "guard_it.count";
    private static final String PREFIX = "lethe.guard_it.";
    private static final float TINY = 1e-12f;

    /**
     * One cluster of one request.
     *
     * @param request the 0-based request (stage and request order) that added it
     * @param center m, the mean pooled state of that request's retain documents (the gate's origin)
     * @param centroid c, the cluster's KMeans centroid in the centred, unit-normalised embedding space
     * @param vector v, the steering vector (retain-orthogonalised, rescaled)
     */
    public record Entry(int request, float[] center, float[] centroid, float[] vector) {
        /** Copies the arrays and checks that they have one width. */
        public Entry {
            if (center.length != centroid.length || center.length != vector.length || center.length == 0) {
                throw new IllegalArgumentException("a steering entry needs centre, centroid and vector of one width, "
                        + "were " + center.length + ", " + centroid.length + ", " + vector.length);
            }
            center = center.clone();
            centroid = centroid.clone();
            vector = vector.clone();
        }

        /** Equal requests and arrays (compared by content). */
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Entry e && e.request == request && Arrays.equals(e.center, center)
                    && Arrays.equals(e.centroid, centroid) && Arrays.equals(e.vector, vector);
        }

        @Override
        public int hashCode() {
            return Objects.hash(request, Arrays.hashCode(center), Arrays.hashCode(centroid), Arrays.hashCode(vector));
        }

        @Override
        public String toString() {
            return "Entry[request=" + request + ", width=" + center.length + "]";
        }

        @Override
        public float[] center() {
            return center.clone();
        }

        @Override
        public float[] centroid() {
            return centroid.clone();
        }

        @Override
        public float[] vector() {
            return vector.clone();
        }
    }

    /** Checks the fields and copies the entries. */
    public GatedSteering {
        if (layer < 1) {
            throw new IllegalArgumentException("guard_it: layer must be >= 1 (a block's output), was " + layer);
        }
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException("guard_it: threshold must be a cosine in [-1, 1], was " + threshold);
        }
        if (!Double.isFinite(strength)) {
            throw new IllegalArgumentException("guard_it: strength must be finite, was " + strength);
        }
        entries = List.copyOf(entries);
        for (Entry e : entries) {
            if (e.center.length != width) {
                throw new IllegalArgumentException("guard_it: an entry of width " + e.center.length
                        + " in a bank of width " + width);
            }
        }
    }

    /** An empty bank (no edit anywhere). */
    public static GatedSteering empty(int layer, double threshold, double strength, int width) {
        return new GatedSteering(layer, threshold, strength, width, List.of());
    }

    /** This bank with {@code more} appended (the next request's clusters). */
    public GatedSteering plus(List<Entry> more) {
        List<Entry> all = new ArrayList<>(entries);
        all.addAll(more);
        return new GatedSteering(layer, threshold, strength, width, all);
    }

    /** How many requests added entries: one more than the last entry's request, 0 when empty. */
    public int requests() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).request() + 1;
    }

    /**
     * The hook of an uncached pass over whole sequences, each starting at index 0 (padding, if any, after its real
     * tokens: causal attention keeps it out of them, and the running mean never reaches back to it).
     */
    public ActivationHook wholeSequences() {
        return (block, position, hidden) -> {
            if (block != layer - 1 || position != ActivationHook.Position.LEAVING || entries.isEmpty()) {
                return hidden;
            }
            Shape s = hidden.getShape();
            float[] w = new float[(int) (s.get(0) * s.get(1))];
            for (int i = 0; i < w.length; i++) {
                w[i] = i % s.get(1) == 0 ? 0f : 1f;
            }
            NDArray weights = hidden.getManager().create(w, new Shape(s.get(0), s.get(1)))
                    .toDevice(hidden.getDevice(), false);
            return edit(hidden, weights, null);
        };
    }

    /**
     * The hook of one cached pass of incremental decoding ({@link Architecture#supportsKvCache()}): the new
     * positions' running means continue the sums the pass before left in {@code cache}; a position counts when its
     * {@code keyMask} is 1 and its position id is above 0 (a left-padded row's first real token).
     *
     * @param positions the new positions' ids, (batch, new)
     * @param keyMask 1 for real positions, over the cached and the new ones, (batch, cached + new)
     * @param cache the decoding's cache, which carries the running sums from pass to pass
     */
    public ActivationHook incremental(NDArray positions, NDArray keyMask, KvCache cache) {
        return (block, position, hidden) -> {
            if (block != layer - 1 || position != ActivationHook.Position.LEAVING || entries.isEmpty()) {
                return hidden;
            }
            long time = positions.getShape().get(1);
            long held = keyMask.getShape().get(1);
            NDArray fresh = keyMask.get(new NDIndex().addAllDim().addSliceDim(held - time, held))
                    .toType(DataType.FLOAT32, false);
            NDArray started = positions.gt(0).toType(DataType.FLOAT32, false);
            return edit(hidden, fresh.mul(started), cache);
        };
    }

    /**
     * The gated edit of {@code hidden}, (batch, time, width), pooling the positions where {@code poolWeights},
     * (batch, time) float32, is 1 (continuing {@code cache}'s sums when given).
     */
    private NDArray edit(NDArray hidden, NDArray poolWeights, @Nullable KvCache cache) {
        NDManager m = hidden.getManager();
        NDArray x = hidden.getDataType() == DataType.FLOAT32 ? hidden : hidden.toType(DataType.FLOAT32, false);
        NDArray sums = x.mul(poolWeights.expandDims(-1)).cumSum(1);
        NDArray counts = poolWeights.cumSum(1).expandDims(-1);
        if (cache != null) {
            NDArray prevSum = cache.carried(SUM);
            NDArray prevCount = cache.carried(COUNT);
            if (prevSum != null && prevCount != null) {
                sums = sums.add(prevSum.expandDims(1));
                counts = counts.add(prevCount.expandDims(1));
            }
            long t = sums.getShape().get(1);
            NDIndex last = new NDIndex().addAllDim().addSliceDim(t - 1, t);
            cache.carry(SUM, sums.get(last).squeeze(1));
            cache.carry(COUNT, counts.get(last).squeeze(1));
        }
        NDArray pooled = sums.div(counts.maximum(Scalars.scalar(counts, 1)));
        Bank b = bank(m, hidden);
        NDArray dotC = pooled.matMul(b.centroidsT).sub(b.centerDotCentroid);
        NDArray squared = pooled.square().sum(new int[] {-1}, true)
                .sub(Scalars.times(pooled.matMul(b.centersT), 2)).add(b.centerSquares)
                .maximum(Scalars.scalar(pooled, TINY));
        NDArray cosine = dotC.div(squared.sqrt().mul(b.centroidNorms));
        NDArray active = cosine.gt(threshold).logicalAnd(counts.gt(0f)).toType(DataType.FLOAT32, false);
        NDArray n = active.sum(new int[] {-1}, true);
        NDArray mean = active.matMul(b.vectors).div(n.maximum(Scalars.scalar(n, 1)));
        NDArray rotated = rotate(x, mean, strength);
        NDArray typed = rotated.getDataType() == hidden.getDataType() ? rotated
                : rotated.toType(hidden.getDataType(), false);
        return NDArrays.where(n.gt(0f).broadcast(hidden.getShape()), typed, hidden);
    }

    /**
     * GUARD-IT's edit (§3, the rotation): h' = h − c·v̄, then h'' = h'·‖h‖/‖h'‖ per position, so ‖h''‖ = ‖h‖ and h''
     * lies in span{h, v̄}: a rotation of h towards −c·v̄. A position whose h' is 0 (h = c·v̄) comes out 0.
     *
     * @param h the states, (..., width)
     * @param direction v̄, broadcastable to {@code h}
     * @param c the strength
     */
    public static NDArray rotate(NDArray h, NDArray direction, double c) {
        NDArray moved = h.sub(Scalars.times(direction, c));
        NDArray before = h.square().sum(new int[] {-1}, true).sqrt();
        NDArray after = moved.square().sum(new int[] {-1}, true).sqrt()
                .maximum(Scalars.scalar(moved, TINY));
        return moved.mul(before.div(after));
    }

    /** The bank as arrays on {@code like}'s device: transposed centroids and centres, vectors, and constants. */
    private Bank bank(NDManager m, NDArray like) {
        int k = entries.size();
        float[] centers = new float[k * width];
        float[] centroids = new float[k * width];
        float[] vectors = new float[k * width];
        float[] centerDotCentroid = new float[k];
        float[] centerSquares = new float[k];
        float[] centroidNorms = new float[k];
        for (int i = 0; i < k; i++) {
            Entry e = entries.get(i);
            System.arraycopy(e.center, 0, centers, i * width, width);
            System.arraycopy(e.centroid, 0, centroids, i * width, width);
            System.arraycopy(e.vector, 0, vectors, i * width, width);
            double mc = 0;
            double mm = 0;
            double cc = 0;
            for (int j = 0; j < width; j++) {
                mc += (double) e.center[j] * e.centroid[j];
                mm += (double) e.center[j] * e.center[j];
                cc += (double) e.centroid[j] * e.centroid[j];
            }
            centerDotCentroid[i] = (float) mc;
            centerSquares[i] = (float) mm;
            centroidNorms[i] = (float) Math.max(Math.sqrt(cc), TINY);
        }
        Shape kw = new Shape(k, width);
        return new Bank(on(m.create(centroids, kw).transpose(), like), on(m.create(centers, kw).transpose(), like),
                on(m.create(vectors, kw), like), on(m.create(centerDotCentroid), like),
                on(m.create(centerSquares), like), on(m.create(centroidNorms), like));
    }

    private static NDArray on(NDArray a, NDArray like) {
        return a.toDevice(like.getDevice(), false);
    }

    private record Bank(NDArray centroidsT, NDArray centersT, NDArray vectors, NDArray centerDotCentroid,
            NDArray centerSquares, NDArray centroidNorms) {}

    /** The bank as tensors to store beside a model's weights ({@link CausalLm#save}); empty for an empty bank. */
    Map<String, NDArray> tensors(NDManager m) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        int k = entries.size();
        if (k == 0) {
            return out;
        }
        float[] requests = new float[k];
        float[][] parts = new float[3][k * width];
        for (int i = 0; i < k; i++) {
            Entry e = entries.get(i);
            requests[i] = e.request();
            System.arraycopy(e.center, 0, parts[0], i * width, width);
            System.arraycopy(e.centroid, 0, parts[1], i * width, width);
            System.arraycopy(e.vector, 0, parts[2], i * width, width);
        }
        out.put(PREFIX + "request", m.create(requests));
        out.put(PREFIX + "center", m.create(parts[0], new Shape(k, width)));
        out.put(PREFIX + "centroid", m.create(parts[1], new Shape(k, width)));
        out.put(PREFIX + "vector", m.create(parts[2], new Shape(k, width)));
        return out;
    }

    /** The bank's settings as metadata to store beside a model's weights. */
    Map<String, String> metadata() {
        return Map.of(PREFIX + "layer", Integer.toString(layer), PREFIX + "threshold", Double.toString(threshold),
                PREFIX + "strength", Double.toString(strength), PREFIX + "width", Integer.toString(width));
    }

    /** The bank stored by {@link #tensors} and {@link #metadata}, or null when {@code metadata} holds none. */
    static @Nullable GatedSteering read(Map<String, NDArray> tensors,
            Map<String, String> metadata, Path file) {
        String layer = metadata.get(PREFIX + "layer");
        if (layer == null) {
            return null;
        }
        try {
            int width = Integer.parseInt(metadata.get(PREFIX + "width"));
            List<Entry> entries = new ArrayList<>();
            NDArray requests = tensors.get(PREFIX + "request");
            if (requests != null) {
                float[] r = requests.toFloatArray();
                float[] centers = tensors.get(PREFIX + "center").toType(DataType.FLOAT32, false).toFloatArray();
                float[] centroids = tensors.get(PREFIX + "centroid").toType(DataType.FLOAT32, false).toFloatArray();
                float[] vectors = tensors.get(PREFIX + "vector").toType(DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < r.length; i++) {
                    entries.add(new Entry((int) r[i], Arrays.copyOfRange(centers, i * width, (i + 1) * width),
                            Arrays.copyOfRange(centroids, i * width, (i + 1) * width),
                            Arrays.copyOfRange(vectors, i * width, (i + 1) * width)));
                }
            }
            return new GatedSteering(Integer.parseInt(layer), Double.parseDouble(metadata.get(PREFIX + "threshold")),
                    Double.parseDouble(metadata.get(PREFIX + "strength")), width, entries);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": the GUARD-IT steering stored beside the weights (tensors and "
                    + "metadata " + PREFIX + "*) is incomplete or misshapen: " + e.getMessage(), e);
        }
    }

    /** SHA-256 (hex) of the settings and every entry's request and arrays, in order: the bank's content hash. */
    public String contentHash() {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(32).putInt(layer).putDouble(threshold)
                    .putDouble(strength).putInt(width).putInt(entries.size());
            d.update(head.array());
            for (Entry e : entries) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 12 * width).putInt(e.request());
                for (float[] a : List.of(e.center, e.centroid, e.vector)) {
                    for (float v : a) {
                        b.putFloat(v);
                    }
                }
                d.update(b.array());
            }
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** Equal settings and entries (arrays compared by content). */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof GatedSteering g && g.layer == layer && Double.compare(g.threshold, threshold) == 0
                && Double.compare(g.strength, strength) == 0 && g.width == width && g.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, threshold, strength, width, entries);
    }

    @Override
    public String toString() {
        return "GatedSteering[layer=" + layer + ", threshold=" + threshold + ", strength=" + strength + ", width="
                + width + ", entries=" + entries.size() + ", requests=" + requests() + "]";
    }
}
