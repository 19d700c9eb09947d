package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Continues a batch of prompts token by token, greedily or by seeded sampling ({@link Generation}).
 *
 * <p>With a {@link KvCache} (when {@link Generation#cached()} and the model
 * {@linkplain CausalLm#supportsKvCache() supports one}) the prompts are left-padded, as Hugging Face
 * {@code generate} pads them, and run once; each later step runs only the token just chosen. Otherwise every
 * step recomputes the whole prefix with the prompts right-padded, and reads each row's next token at its own
 * last position (attention is causal, so a row's padding never reaches its real positions).
 *
 * <p>A step reads back one thing from the device, the chosen ids; stopping (eos, stop strings, maximum
 * tokens, the model's generation limit) is decided on the host from them. A stopped row keeps being fed (its tokens
 * are ignored) until every row has stopped. Sampling draws one uniform number per row and step from a Java
 * {@link SplittableRandom} seeded with {@link Generation#seed()}, so the same seed gives the same tokens on
 * any device (up to the device's rounding of the probabilities). Padding positions hold id 0. Autograd is
 * off while it runs, also inside a {@code GradientCollector} (libtorch's grad mode is restored after), so a
 * generation records no graph.
 */
public final class Generator {
    /** The id at padding positions, which no real position sees (any id in the vocabulary would do). */
    private static final int PAD = 0;

    private final CausalLm model;
    private final @Nullable Tokenizer tokenizer;

    /**
     * A generator running {@code model}; {@code tokenizer} decodes outputs to check stop strings (null when
     * there are none to check).
     */
    public Generator(CausalLm model, @Nullable Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** A generator running {@code model}, for options without stop strings. */
    public Generator(CausalLm model) {
        this(model, null);
    }

    /**
     * The continuation of each prompt, without the eos that ended it.
     *
     * @param prompts token ids, each with whatever the model expects first (e.g. bos), at least one token and
     *     at most {@link ModelSpec#generationLimit()}
     * @return the generated ids of each prompt, in order
     */
    public List<int[]> generate(List<int[]> prompts, Generation options) {
        int context = model.spec().generationLimit();
        for (int r = 0; r < prompts.size(); r++) {
            int n = prompts.get(r).length;
            if (n == 0 || n > context) {
                throw new IllegalArgumentException("prompt " + r + " has " + n + " tokens: a prompt needs 1 to "
                        + context + " (the model's generation limit, its context length)");
            }
        }
        if (!options.stopStrings().isEmpty() && tokenizer == null) {
            throw new IllegalArgumentException("stop strings " + options.stopStrings() + " need a tokenizer to "
                    + "decode the outputs: make the Generator with one");
        }
        if (prompts.isEmpty()) {
            return List.of();
        }
        Rows rows = new Rows(prompts, options, context);
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            if (options.cached() && model.supportsKvCache()) {
                cached(rows, options);
            } else {
                recomputed(rows, options);
            }
        } finally {
            JniUtils.setGradMode(recording);
        }
        return rows.outputs();
    }

    private void cached(Rows rows, Generation options) {
        int n = rows.size();
        int longest = rows.longestPrompt();
        int length = longest + Math.max(0, options.maxNewTokens() - 1);
        long[] tokens = new long[n * longest];
        long[] positions = new long[n * longest];
        long[] mask = new long[n * length];
        Arrays.fill(tokens, PAD);
        Arrays.fill(mask, 1);
        for (int r = 0; r < n; r++) {
            int[] p = rows.prompt(r);
            int pad = longest - p.length;
            for (int t = 0; t < p.length; t++) {
                tokens[r * longest + pad + t] = p[t];
                positions[r * longest + pad + t] = t;
            }
            Arrays.fill(mask, r * length, r * length + pad, 0);
        }
        NDManager m = model.manager();
        SplittableRandom random = new SplittableRandom(options.seed());
        try (NDScope generation = new NDScope();
                KvCache cache = KvCache.create(m, model.architecture().blocks(), n, length)) {
            NDArray keyMask = m.create(mask, new Shape(n, length));
            NDArray input = m.create(tokens, new Shape(n, longest));
            NDArray inputPositions = m.create(positions, new Shape(n, longest));
            for (int step = 0; !rows.allDone() && step < options.maxNewTokens(); step++) {
                long[] chosen;
                try (NDScope scope = new NDScope()) {
                    long held = cache.length() + input.getShape().get(1);
                    NDArray logits = model.forward(input, inputPositions,
                            keyMask.get(new NDIndex().addAllDim().addSliceDim(0, held)), cache);
                    chosen = choose(logits, options, random);
                }
                input.close();
                inputPositions.close();
                rows.take(chosen);
                long[] next = new long[n];
                long[] nextPositions = new long[n];
                for (int r = 0; r < n; r++) {
                    next[r] = rows.done(r) ? PAD : chosen[r];
                    nextPositions[r] = rows.done(r) ? 0 : rows.length(r) - 1;
                }
                input = m.create(next, new Shape(n, 1));
                inputPositions = m.create(nextPositions, new Shape(n, 1));
            }
        }
    }

    private void recomputed(Rows rows, Generation options) {
        int n = rows.size();
        NDManager m = model.manager();
        SplittableRandom random = new SplittableRandom(options.seed());
        for (int step = 0; !rows.allDone() && step < options.maxNewTokens(); step++) {
            int time = 0;
            for (int r = 0; r < n; r++) {
                time = Math.max(time, rows.length(r));
            }
            long[] tokens = new long[n * time];
            long[] last = new long[n];
            Arrays.fill(tokens, PAD);
            for (int r = 0; r < n; r++) {
                rows.copySequence(r, tokens, r * time);
                last[r] = rows.length(r) - 1;
            }
            long[] chosen;
            try (NDScope scope = new NDScope()) {
                NDArray all = model.forward(m.create(tokens, new Shape(n, time))).logits();
                long vocabulary = all.getShape().get(2);
                NDArray index = m.create(last, new Shape(n, 1, 1)).broadcast(new Shape(n, 1, vocabulary));
                NDArray logits = all.gather(index, 1).reshape(n, vocabulary);
                chosen = choose(logits, options, random);
            }
            rows.take(chosen);
        }
    }

    /** The next id of every row: the argmax, or a draw from the warped distribution. One read-back. */
    private static long[] choose(NDArray logits, Generation options, SplittableRandom random) {
        if (!options.sample()) {
            return LogitsWarpers.greedy(logits).toLongArray();
        }
        int n = (int) logits.getShape().get(0);
        float[] u = new float[n];
        for (int r = 0; r < n; r++) {
            u[r] = (float) (1 - random.nextDouble());
        }
        NDArray warped = LogitsWarpers.warp(logits, options);
        NDArray uniforms = logits.getManager().create(u, new Shape(n, 1)).toDevice(logits.getDevice(), false);
        return LogitsWarpers.sample(warped, uniforms).toType(DataType.INT64, false).toLongArray();
    }

    /** The host-side state of every row: its tokens so far and whether it has stopped. */
    private final class Rows {
        private final List<int[]> prompts;
        private final List<List<Integer>> generated = new ArrayList<>();
        private final boolean[] done;
        private final Generation options;
        private final int context;

        Rows(List<int[]> prompts, Generation options, int context) {
            this.prompts = prompts;
            this.options = options;
            this.context = context;
            this.done = new boolean[prompts.size()];
            for (int r = 0; r < prompts.size(); r++) {
                generated.add(new ArrayList<>());
                done[r] = prompts.get(r).length >= context;
            }
        }

        int size() {
            return prompts.size();
        }

        int[] prompt(int r) {
            return prompts.get(r);
        }

        int longestPrompt() {
            return prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        }

        int length(int r) {
            return prompts.get(r).length + generated.get(r).size();
        }

        boolean done(int r) {
            return done[r];
        }

        boolean allDone() {
            for (boolean d : done) {
                if (!d) {
                    return false;
                }
            }
            return true;
        }

        void copySequence(int r, long[] into, int offset) {
            int[] p = prompts.get(r);
            for (int t = 0; t < p.length; t++) {
                into[offset + t] = p[t];
            }
            List<Integer> g = generated.get(r);
            for (int t = 0; t < g.size(); t++) {
                into[offset + p.length + t] = g.get(t);
            }
        }

        /** Appends each running row's chosen id, or stops the row (eos, stop string, generation limit). */
        void take(long[] chosen) {
            for (int r = 0; r < done.length; r++) {
                if (done[r]) {
                    continue;
                }
                int id = (int) chosen[r];
                if (options.eosIds().contains(id)) {
                    done[r] = true;
                    continue;
                }
                generated.get(r).add(id);
                done[r] = length(r) >= context || stopped(generated.get(r));
            }
        }

        private boolean stopped(List<Integer> ids) {
            if (options.stopStrings().isEmpty()) {
                return false;
            }
            String text = Objects.requireNonNull(tokenizer).decode(ids.stream().mapToInt(Integer::intValue).toArray());
            return options.stopStrings().stream().anyMatch(text::contains);
        }

        List<int[]> outputs() {
            return generated.stream().map(g -> g.stream().mapToInt(Integer::intValue).toArray()).toList();
        }
    }
}
