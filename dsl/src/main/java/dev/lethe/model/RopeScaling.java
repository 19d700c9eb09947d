package dev.lethe.model;

import java.util.List;
import java.util.Locale;

/**
 * How rotary position embeddings stretch to contexts longer than the training context: the
 * {@code rope_scaling} (or transformers 5's {@code rope_parameters}) of a Hugging Face configuration. Each
 * type computes the inverse frequencies exactly as transformers' {@code modeling_rope_utils} does, so that a
 * loaded checkpoint sees the same rotations it was trained with.
 *
 * @param type which scheme
 * @param factor the context stretch s (1 for {@link Type#DEFAULT})
 * @param lowFreqFactor Llama 3's {@code low_freq_factor} (only {@link Type#LLAMA3})
 * @param highFreqFactor Llama 3's {@code high_freq_factor} (only {@link Type#LLAMA3})
 * @param originalMaxPositions the training context ({@code original_max_position_embeddings}; only
 *     {@link Type#LLAMA3}, {@link Type#YARN} and {@link Type#LONGROPE}, 0 otherwise)
 * @param attentionFactor YaRN's or LongRoPE's {@code attention_factor}, or NaN to derive it from the factor
 * @param betaFast YaRN's β_fast (32 by default)
 * @param betaSlow YaRN's β_slow (1 by default)
 * @param mscale YaRN's {@code mscale}, 0 when absent
 * @param mscaleAllDim YaRN's {@code mscale_all_dim}, 0 when absent
 * @param truncate YaRN's {@code truncate}: round the correction range outwards to whole dimensions
 * @param shortFactor LongRoPE's {@code short_factor}, one divisor per frequency (only {@link Type#LONGROPE}, empty
 *     otherwise)
 * @param longFactor LongRoPE's {@code long_factor}, used when a pass covers more than
 *     {@code originalMaxPositions} positions (only {@link Type#LONGROPE}, empty otherwise)
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositions, double attentionFactor, double betaFast, double betaSlow, double mscale,
        double mscaleAllDim, boolean truncate, List<Double> shortFactor, List<Double> longFactor) {

    /** The supported schemes, by their {@code rope_type} names. */
    public enum Type {
        /** No scaling: θ_i = base^(−2i/d) (Su et al. 2021, "RoFormer", eq. 15). */
        DEFAULT,
        /** Position interpolation: θ_i / s (Chen et al. 2023, "Extending Context Window ... via Positional Interpolation", eq. 4). */
        LINEAR,
        /**
         * Dynamic NTK-aware scaling: base' = base · (s·L/L₀ − (s − 1))^(d/(d−2)) for a pass covering L ≥ L₀
         * positions (transformers' {@code _compute_dynamic_ntk_parameters}; bloc97/emozilla).
         */
        DYNAMIC,
        /** Llama 3.1's frequency-dependent interpolation (transformers' {@code _compute_llama3_parameters}). */
        LLAMA3,
        /** YaRN (Peng et al. 2023, "YaRN: Efficient Context Window Extension", eqs. 18–23 and §3.4's attention factor). */
        YARN,
        /**
         * LongRoPE (Ding et al. 2024, "LongRoPE: Extending LLM Context Window Beyond 2 Million Tokens", §3: a
         * searched rescale factor per frequency), as Phi-3's 128k checkpoints use it: θ_i / short_i for a pass
         * covering at most the original context, θ_i / long_i beyond it, and cos and sin multiplied by
         * √(1 + ln s / ln L₀) (transformers' {@code _compute_longrope_parameters}). A pass with a KV cache takes
         * the factors of the length it reaches while the cached keys keep the rotation they were made with, as
         * transformers' forward with a cache does.
         */
        LONGROPE;

        /** The {@code rope_type} spelling. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The keys of all supported types, for error messages. */
        public static String supported() {
            StringBuilder s = new StringBuilder();
            for (Type t : values()) {
                s.append(s.length() == 0 ? "" : ", ").append(t.key());
            }
            return s.toString();
        }
    }

    /** Checks the parameters the type uses and copies the factor lists. */
    public RopeScaling {
        shortFactor = List.copyOf(shortFactor);
        longFactor = List.copyOf(longFactor);
        require(factor > 0 && Double.isFinite(factor), "rope scaling factor must be positive, was " + factor);
        switch (type) {
            case DEFAULT -> require(factor == 1, "default rope has no factor, was " + factor);
            case LLAMA3 -> {
                require(highFreqFactor > lowFreqFactor && lowFreqFactor > 0, "llama3 rope needs 0 < low_freq_factor"
                        + " < high_freq_factor, were " + lowFreqFactor + " and " + highFreqFactor);
                require(originalMaxPositions > 0, "llama3 rope needs original_max_position_embeddings > 0, was "
                        + originalMaxPositions);
            }
            case YARN -> require(originalMaxPositions > 0, "yarn rope needs original_max_position_embeddings > 0, was "
                    + originalMaxPositions);
            case LONGROPE -> {
                require(originalMaxPositions > 0, "longrope needs original_max_position_embeddings > 0, was "
                        + originalMaxPositions);
                require(!shortFactor.isEmpty() && shortFactor.size() == longFactor.size(), "longrope needs "
                        + "short_factor and long_factor of the same, non-zero length, had " + shortFactor.size()
                        + " and " + longFactor.size());
                for (double f : shortFactor) {
                    require(f > 0 && Double.isFinite(f), "longrope short_factor entries must be positive, were "
                            + shortFactor);
                }
                for (double f : longFactor) {
                    require(f > 0 && Double.isFinite(f), "longrope long_factor entries must be positive, were "
                            + longFactor);
                }
            }
            default -> { }
        }
    }

    /** No scaling. */
    public static RopeScaling none() {
        return simple(Type.DEFAULT, 1);
    }

    /** Linear position interpolation by {@code factor}. */
    public static RopeScaling linear(double factor) {
        return simple(Type.LINEAR, factor);
    }

    /** Dynamic NTK scaling by {@code factor}. */
    public static RopeScaling dynamic(double factor) {
        return simple(Type.DYNAMIC, factor);
    }

    /** Llama 3.1's scaling (Llama 3.1/3.2 use factor 8 or 32, low 1, high 4, original 8192). */
    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor,
            int originalMaxPositions) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMaxPositions, Double.NaN,
                0, 0, 0, 0, true, List.of(), List.of());
    }

    /** YaRN with the paper's defaults (β_fast 32, β_slow 1, attention factor derived, truncated range). */
    public static RopeScaling yarn(double factor, int originalMaxPositions) {
        return new RopeScaling(Type.YARN, factor, 0, 0, originalMaxPositions, Double.NaN, 32, 1, 0, 0, true,
                List.of(), List.of());
    }

    /**
     * LongRoPE with per-frequency divisors {@code shortFactor} and {@code longFactor} (one per rotated pair of
     * dimensions), the context stretch {@code factor} (Phi-3: {@code max_position_embeddings} /
     * {@code original_max_position_embeddings}) and an {@code attentionFactor}, NaN to derive it from the factor.
     */
    public static RopeScaling longrope(List<Double> shortFactor, List<Double> longFactor, double factor,
            int originalMaxPositions, double attentionFactor) {
        return new RopeScaling(Type.LONGROPE, factor, 0, 0, originalMaxPositions, attentionFactor, 0, 0, 0, 0, true,
                shortFactor, longFactor);
    }

    private static RopeScaling simple(Type type, double factor) {
        return new RopeScaling(type, factor, 0, 0, 0, Double.NaN, 0, 0, 0, 0, true, List.of(), List.of());
    }

    /**
     * The inverse frequencies θ_0 … θ_{dims/2−1} of a pass covering {@code span} positions, in float32 as
     * transformers computes them: θ_i = 1 / base^(2i/dims), then this scheme's change.
     *
     * @param base the rotary base ({@code rope_theta})
     * @param dims the number of rotated dimensions per head (even)
     * @param maxPositions the model's {@code max_position_embeddings} (dynamic scaling's L₀)
     * @param span the number of positions the pass covers (only dynamic scaling and LongRoPE use it)
     */
    public float[] inverseFrequencies(double base, int dims, int maxPositions, long span) {
        if (type == Type.LONGROPE) {
            return longrope(base, dims, span);
        }
        double b = base;
        if (type == Type.DYNAMIC) {
            double length = Math.max(span, maxPositions);
            b = base * Math.pow(factor * length / maxPositions - (factor - 1), dims / (dims - 2.0));
        }
        float[] f = new float[dims / 2];
        for (int i = 0; i < f.length; i++) {
            float exponent = (float) (2 * i) / dims;
            f[i] = 1f / (float) Math.pow((float) b, exponent);
        }
        return switch (type) {
            case DEFAULT, DYNAMIC -> f;
            case LINEAR -> divided(f, factor);
            case LLAMA3 -> llama3(f);
            case YARN -> yarn(f, base, dims);
            case LONGROPE -> throw new IllegalStateException("longrope is computed above");
        };
    }

    /**
     * The factor cos and sin are multiplied by: 1, except for YaRN, whose {@code attention_factor} defaults to
     * 0.1·ln(s) + 1 (or the ratio of the two {@code mscale} terms when both are given).
     */
    public double attentionScaling() {
        if (type != Type.YARN && type != Type.LONGROPE) {
            return 1;
        }
        if (!Double.isNaN(attentionFactor)) {
            return attentionFactor;
        }
        if (type == Type.LONGROPE) {
            return factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(originalMaxPositions));
        }
        if (mscale != 0 && mscaleAllDim != 0) {
            return yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAllDim);
        }
        return yarnMscale(factor, 1);
    }

    private static double yarnMscale(double scale, double m) {
        return scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1;
    }

    private static float[] divided(float[] f, double by) {
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (float) (f[i] / by);
        }
        return out;
    }

    /**
     * Llama 3.1: wavelengths λ = 2π/θ longer than L₀/low are divided by s, shorter than L₀/high are kept, and
     * in between θ' = (1 − a)·θ/s + a·θ with a = (L₀/λ − low)/(high − low).
     */
    private float[] llama3(float[] f) {
        double lowWavelength = originalMaxPositions / lowFreqFactor;
        double highWavelength = originalMaxPositions / highFreqFactor;
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            double wavelength = 2 * Math.PI / f[i];
            if (wavelength > lowWavelength) {
                out[i] = (float) (f[i] / factor);
            } else if (wavelength < highWavelength) {
                out[i] = f[i];
            } else {
                double a = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (float) ((1 - a) * f[i] / factor + a * f[i]);
            }
        }
        return out;
    }

    /**
     * YaRN's "NTK-by-parts": dimensions rotating more than β_fast times over L₀ keep θ, those rotating fewer
     * than β_slow times are interpolated (θ/s), with a linear ramp between the two correction dimensions
     * d(r) = dims·ln(L₀/(2πr)) / (2·ln base).
     */
    private float[] yarn(float[] f, double base, int dims) {
        double fast = betaFast == 0 ? 32 : betaFast;
        double slow = betaSlow == 0 ? 1 : betaSlow;
        double low = correctionDimension(fast, dims, base);
        double high = correctionDimension(slow, dims, base);
        if (truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dims - 1);
        if (low == high) {
            high += 0.001;
        }
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            float ramp = (float) Math.min(1, Math.max(0, (i - low) / (high - low)));
            float extrapolation = 1 - ramp;
            float interpolated = (float) (f[i] / factor);
            out[i] = interpolated * (1 - extrapolation) + f[i] * extrapolation;
        }
        return out;
    }

    /**
     * LongRoPE: θ_i = 1 / (r_i · base^(2i/dims)) in float32, r = {@code longFactor} when the pass covers more
     * than {@code originalMaxPositions} positions and {@code shortFactor} otherwise.
     */
    private float[] longrope(double base, int dims, long span) {
        List<Double> r = span > originalMaxPositions ? longFactor : shortFactor;
        require(r.size() == dims / 2, "longrope has " + r.size() + " factors per list; " + dims
                + " rotated dimensions need " + dims / 2);
        float[] f = new float[dims / 2];
        for (int i = 0; i < f.length; i++) {
            float exponent = (float) (2 * i) / dims;
            f[i] = 1f / (r.get(i).floatValue() * (float) Math.pow((float) base, exponent));
        }
        return f;
    }

    private double correctionDimension(double rotations, int dims, double base) {
        return dims * Math.log(originalMaxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
