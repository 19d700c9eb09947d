package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The analytic head of ACU (Tang et al. 2025, arXiv 2505.12239, method section): a frozen feature extractor, a fixed random
 * ReLU expansion, and a linear head solved in closed form ({@link RecursiveRidge}), adapted to a causal language
 * model. A {@link CausalLm} that carries one ({@link CausalLm#withHead}) takes its next-token logits from it instead
 * of from its LM head, so it is a model like any other for the suites, attacks and generation.
 *
 * <p>Features (the paper's f = G(Backbone(x)), G a random non-linear mapping): for the residual stream h after block
 * {@link #layer()} (1-based, {@link ModelOutput#hidden}) at a position, x = ReLU(E·(h / rms(h))), rms(h) =
 * √(mean(h²) + 10⁻⁶), E a width × {@link #expansion()} matrix of N(0, 1/width) draws from {@link #seed()}, rounded to
 * float32. The normalisation (Lethe's choice, not the paper's) makes γ mean the same at every layer and model size.
 * Targets (our choice for a language model): the one-hot of the next token at every answer position (the answer's
 * tokens and the closing {@code <eos>}, as the {@code answers} suite scores them), prompt positions not used.
 * Logits: {@link #scale()}·x·W at the tokens W has columns for, 0 at every other token; they replace the LM head's
 * (adding them would leave what the LM head memorised in place, so forgetting would not forget). The scale turns
 * the ridge's 0/1 regression targets into a softmax that puts most mass on a predicted token: with ŷ = 1 and 0
 * elsewhere, p = e^τ/(e^τ + V − 1), 0.96 at τ = 10 and V = 1 000.
 *
 * <p>Membership: every learned example is recorded by a hash of its token ids and a hash of its feature rows and
 * targets. Forgetting an example checks both, so an example that was never learned, or whose features changed since
 * (a stage trained the backbone in between), is refused with a clear error instead of a silently wrong downdate.
 *
 * <p>Immutable; the head of every copy of a model is the same value.
 */
public final class AnalyticHead {
    /** The safetensors metadata entry that holds the head's description. */
    static final String METADATA = "lethe.acu";
    /** The safetensors tensor of R. */
    static final String R_TENSOR = "lethe.acu.r";
    /** The safetensors tensor of W. */
    static final String W_TENSOR = "lethe.acu.w";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double EPS = 1e-6;

    private final int layer;
    private final int width;
    private final int expansion;
    private final long seed;
    private final double scale;
    private final RecursiveRidge ridge;
    private final TreeMap<String, Integer> members;
    private final float[] matrix;

    private AnalyticHead(int layer, int width, int expansion, long seed, double scale, RecursiveRidge ridge,
            TreeMap<String, Integer> members, float @Nullable [] matrix) {
        this.layer = layer;
        this.width = width;
        this.expansion = expansion;
        this.seed = seed;
        this.scale = scale;
        this.ridge = ridge;
        this.members = members;
        this.matrix = matrix != null ? matrix : expansionMatrix(width, expansion, seed);
    }

    /**
     * A head that has learned nothing: R = I/γ, W = 0.
     *
     * @param layer the block whose output is the feature (1-based)
     * @param width the residual stream's width
     * @param expansion the random expansion's size D (R is D × D float64: 8·D² bytes)
     * @param seed the random expansion's seed
     * @param gamma the ridge regularisation γ
     * @param scale the logit scale τ
     */
    public static AnalyticHead start(int layer, int width, int expansion, long seed, double gamma, double scale) {
        if (layer < 1 || width < 1 || expansion < 1) {
            throw new IllegalArgumentException("layer, width and expansion must be >= 1, were " + layer + ", " + width
                    + ", " + expansion);
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive finite number, was " + scale);
        }
        return new AnalyticHead(layer, width, expansion, seed, scale, RecursiveRidge.start(expansion, gamma),
                new TreeMap<>(), null);
    }

    /** E, width × D row-major: N(0, 1/width) draws rounded to float32. */
    private static float[] expansionMatrix(int width, int expansion, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] e = new float[Math.multiplyExact(width, expansion)];
        double std = 1 / Math.sqrt(width);
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) (random.nextGaussian() * std);
        }
        return e;
    }

    /**
     * One example's rows: its features at the answer positions, the next tokens, and its membership key.
     *
     * @param key the hash of the token ids and of the features and targets
     * @param x the features, n × D row-major
     * @param targets the next-token ids, n
     */
    public record Sample(String key, double[] x, int[] targets) {}

    /**
     * The rows of one sequence under {@code model}'s backbone: one forward pass of the sequence alone (no padding, so
     * its features do not depend on what else is in a batch), float32 hidden states widened to float64.
     *
     * @param input the token ids fed to the model ({@code <bos>}, prompt, answer)
     * @param first the first position whose next token is a target (the last prompt position)
     * @param targets the next tokens of positions {@code first}, {@code first + 1}, ... (the answer and {@code <eos>})
     */
    public Sample sample(CausalLm model, int[] input, int first, int[] targets) {
        int n = targets.length;
        if (first < 0 || first + n > input.length) {
            throw new IllegalArgumentException(n + " targets from position " + first + " do not fit an input of "
                    + input.length + " tokens");
        }
        try (NDScope scope = new NDScope()) {
            long[] ids = new long[input.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = input[i];
            }
            NDArray tokens = model.manager().create(ids, new Shape(1, ids.length));
            NDArray h = model.forward(tokens, false, true).hidden(layer);
            if (h.getShape().get(2) != width) {
                throw new IllegalArgumentException("the model's residual stream is " + h.getShape().get(2)
                        + " wide, the analytic head's features are of width " + width);
            }
            float[] hidden = h.toType(DataType.FLOAT32, false).toFloatArray();
            double[] x = new double[n * expansion];
            for (int t = 0; t < n; t++) {
                features(hidden, (first + t) * width, x, t * expansion);
            }
            return new Sample(tokensKey(input, first, targets) + ":" + featuresKey(x, targets), x, targets.clone());
        }
    }

    /** x = ReLU(E·(h / rms(h))) of the hidden vector at {@code from}, written at {@code to}. */
    private void features(float[] hidden, int from, double[] x, int to) {
        double squares = 0;
        for (int i = 0; i < width; i++) {
            squares += (double) hidden[from + i] * hidden[from + i];
        }
        double inv = 1 / Math.sqrt(squares / width + EPS);
        for (int i = 0; i < width; i++) {
            double v = hidden[from + i] * inv;
            int row = i * expansion;
            for (int j = 0; j < expansion; j++) {
                x[to + j] += v * matrix[row + j];
            }
        }
        for (int j = 0; j < expansion; j++) {
            x[to + j] = Math.max(0, x[to + j]);
        }
    }

    /** This head after learning {@code samples}, in order (one recursive update each). */
    public AnalyticHead learn(List<Sample> samples) {
        RecursiveRidge r = ridge;
        TreeMap<String, Integer> m = new TreeMap<>(members);
        for (Sample s : samples) {
            r = r.learn(s.x(), s.targets());
            m.merge(s.key(), 1, Integer::sum);
        }
        return new AnalyticHead(layer, width, expansion, seed, scale, r, m, matrix);
    }

    /**
     * This head after forgetting {@code samples}, in order (one Woodbury downdate each), once every one of them is
     * known to be a member.
     *
     * @param describe names sample i for the error (its split, row and question)
     * @throws IllegalArgumentException naming the first sample that was never learned (or was already forgotten),
     *     or whose features changed since it was learned; nothing is forgotten then
     */
    public AnalyticHead forget(List<Sample> samples, java.util.function.IntFunction<String> describe) {
        TreeMap<String, Integer> m = new TreeMap<>(members);
        for (int i = 0; i < samples.size(); i++) {
            String key = samples.get(i).key();
            Integer count = m.get(key);
            if (count == null) {
                String tokens = key.substring(0, key.indexOf(':') + 1);
                boolean sameTokens = m.keySet().stream().anyMatch(k -> k.startsWith(tokens));
                throw new IllegalArgumentException(describe.apply(i) + (sameTokens
                        ? " was learned by the analytic head, but its features differ now: the backbone changed since "
                                + "it was learned (a stage trained the model in between), so its rows cannot be removed "
                                + "exactly"
                        : " was never learned by the analytic head (or was already forgotten): only learned examples "
                                + "can be forgotten"));
            }
            if (count == 1) {
                m.remove(key);
            } else {
                m.put(key, count - 1);
            }
        }
        RecursiveRidge r = ridge;
        for (Sample s : samples) {
            r = r.forget(s.x(), s.targets());
        }
        return new AnalyticHead(layer, width, expansion, seed, scale, r, m, matrix);
    }

    /** The block whose output the features read (1-based). */
    public int layer() {
        return layer;
    }

    /** The residual stream's width. */
    public int width() {
        return width;
    }

    /** The random expansion's size D. */
    public int expansion() {
        return expansion;
    }

    /** The random expansion's seed. */
    public long seed() {
        return seed;
    }

    /** The logit scale τ. */
    public double scale() {
        return scale;
    }

    /** The ridge state: R, W and W's target tokens. */
    public RecursiveRidge ridge() {
        return ridge;
    }

    /** How many learned examples it holds (each counted as often as it was learned and not forgotten). */
    public int members() {
        return members.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * A content hash of the whole head (configuration, members, R and W bit for bit), for what keys on a model's
     * content: two heads with the same fingerprint give the same logits.
     */
    public String fingerprint() {
        double[] r = ridge.r();
        double[] w = ridge.w();
        byte[] meta = metadata().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(meta.length + 8 * (r.length + w.length));
        b.put(meta);
        for (double v : r) {
            b.putDouble(v);
        }
        for (double v : w) {
            b.putDouble(v);
        }
        return sha256(b.array());
    }

    /** The hash of a sequence's token ids and targets, the first half of its membership key. */
    static String tokensKey(int[] input, int first, int[] targets) {
        ByteBuffer b = ByteBuffer.allocate(4 * (input.length + targets.length) + 12);
        b.putInt(input.length).putInt(first).putInt(targets.length);
        for (int t : input) {
            b.putInt(t);
        }
        for (int t : targets) {
            b.putInt(t);
        }
        return sha256(b.array());
    }

    /** The hash of feature rows and targets, bit for bit. */
    static String featuresKey(double[] x, int[] targets) {
        ByteBuffer b = ByteBuffer.allocate(8 * x.length + 4 * targets.length);
        for (double v : x) {
            b.putLong(Double.doubleToLongBits(v));
        }
        for (int t : targets) {
            b.putInt(t);
        }
        return sha256(b.array());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The float32 arrays a forward pass reads, created in {@code manager} (which then owns them). */
    Attached attach(NDManager manager) {
        int k = ridge.tokens().length;
        double[] w = ridge.w();
        float[] w32 = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            w32[i] = (float) (w[i] * scale);
        }
        long[] ids = new long[k];
        int[] tokens = ridge.tokens();
        for (int i = 0; i < k; i++) {
            ids[i] = tokens[i];
        }
        return new Attached(layer, NativeCopy.of(manager.create(matrix, new Shape(width, expansion))),
                NativeCopy.of(manager.create(w32, new Shape(expansion, k))), NativeCopy.of(manager.create(ids)));
    }

    /**
     * The head as a forward pass reads it.
     *
     * @param layer the block whose output it reads (1-based)
     * @param expansion E, (width, D) float32
     * @param weights τ·W, (D, K) float32
     * @param tokens W's token ids, (K) int64
     */
    record Attached(int layer, NDArray expansion, NDArray weights, NDArray tokens) {
        /** The logits, (batch, time, vocabulary) float32, from the residual stream after block {@link #layer}. */
        NDArray logits(NDArray hidden, long vocabulary) {
            NDArray h = hidden.toType(DataType.FLOAT32, false);
            NDArray rms = h.square().mean(new int[] {-1}, true).add(EPS).sqrt();
            NDArray x = h.div(rms).matMul(expansion).maximum(0f);
            Shape s = h.getShape();
            long k = tokens.getShape().get(0);
            NDArray zeros = h.getManager().zeros(new Shape(s.get(0), s.get(1), vocabulary), DataType.FLOAT32);
            if (k == 0) {
                return zeros;
            }
            NDArray values = x.matMul(weights);
            NDArray index = tokens.reshape(1, 1, k).broadcast(new Shape(s.get(0), s.get(1), k));
            return zeros.scatter(index, values, 2);
        }
    }

    /** The head's arrays as safetensors writes them: R and W, float64. */
    Map<String, NDArray> tensors(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put(R_TENSOR, manager.create(ridge.r(), new Shape(expansion, expansion)));
        out.put(W_TENSOR, manager.create(ridge.w(), new Shape(expansion, ridge.tokens().length)));
        return out;
    }

    /** The head's description as safetensors metadata: configuration, W's tokens and the members. */
    String metadata() {
        ObjectNode root = JSON.createObjectNode();
        root.put("layer", layer).put("width", width).put("expansion", expansion).put("seed", seed)
                .put("gamma", Double.toString(ridge.gamma())).put("scale", Double.toString(scale));
        var tokens = root.putArray("tokens");
        for (int t : ridge.tokens()) {
            tokens.add(t);
        }
        ObjectNode m = root.putObject("members");
        members.forEach(m::put);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an analytic head's metadata", e);
        }
    }

    /**
     * The head a file of {@link CausalLm#save} holds, or null when it holds none.
     *
     * @throws IllegalArgumentException naming {@code file} when the head's metadata or arrays are malformed
     */
    static @Nullable AnalyticHead read(Object file, Map<String, String> metadata, Map<String, NDArray> tensors) {
        String text = metadata.get(METADATA);
        if (text == null) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(text);
            int expansion = root.path("expansion").asInt(0);
            List<Integer> tokens = new ArrayList<>();
            root.path("tokens").forEach(t -> tokens.add(t.asInt()));
            NDArray r = tensors.get(R_TENSOR);
            NDArray w = tensors.get(W_TENSOR);
            if (r == null || w == null || r.getDataType() != DataType.FLOAT64 || w.getDataType() != DataType.FLOAT64) {
                throw new IllegalArgumentException("tensors " + R_TENSOR + " and " + W_TENSOR + " must be F64");
            }
            RecursiveRidge ridge = RecursiveRidge.of(expansion, Double.parseDouble(root.path("gamma").asText()),
                    r.toDoubleArray(), tokens.stream().mapToInt(Integer::intValue).toArray(), w.toDoubleArray());
            TreeMap<String, Integer> members = new TreeMap<>();
            root.path("members").fields().forEachRemaining(e -> members.put(e.getKey(), e.getValue().asInt()));
            AnalyticHead start = start(root.path("layer").asInt(0), root.path("width").asInt(0), expansion,
                    root.path("seed").asLong(), ridge.gamma(), Double.parseDouble(root.path("scale").asText()));
            return new AnalyticHead(start.layer, start.width, expansion, start.seed, start.scale, ridge, members,
                    start.matrix);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": metadata '" + METADATA + "' is not an analytic head: "
                    + e.getMessage(), e);
        }
    }

    /** Same configuration, state and members. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AnalyticHead h && metadata().equals(h.metadata())
                && java.util.Arrays.equals(ridge.r(), h.ridge.r()) && java.util.Arrays.equals(ridge.w(), h.ridge.w());
    }

    @Override
    public int hashCode() {
        return metadata().hashCode();
    }

    @Override
    public String toString() {
        return "AnalyticHead[layer " + layer + ", expansion " + expansion + ", gamma " + ridge.gamma() + ", scale "
                + scale + ", " + members() + " examples, " + ridge.tokens().length + " target tokens]";
    }
}
