package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Name, shape and initial distribution of one GPT-2 parameter.
 *
 * @param name Hugging Face GPT-2 name
 * @param shape shape; projections are stored (in, out) as GPT-2's {@code Conv1D}
 * @param std standard deviation of the normal initialisation, or a negative value for a constant
 * @param constant the constant value when {@code std < 0}
 */
record ParameterSpec(String name, Shape shape, double std, float constant) {
    private static final double INIT_STD = 0.02;

    /** Every parameter of {@code config}, in creation order. */
    static List<ParameterSpec> of(GptConfig config) {
        if (config.vocabSize() == 0) {
            throw new IllegalArgumentException("vocabSize is 0: resolve it from the tokenizer first");
        }
        int d = config.width();
        double residualStd = INIT_STD / Math.sqrt(2.0 * config.layers());
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(normal("wte.weight", INIT_STD, config.vocabSize(), d));
        specs.add(normal("wpe.weight", INIT_STD / 2, config.contextLength(), d));
        for (int l = 0; l < config.layers(); l++) {
            String b = "h." + l + ".";
            norm(specs, b + "ln_1", d);
            specs.add(normal(b + "attn.c_attn.weight", INIT_STD, d, 3 * d));
            specs.add(constant(b + "attn.c_attn.bias", 0f, 3 * d));
            specs.add(normal(b + "attn.c_proj.weight", residualStd, d, d));
            specs.add(constant(b + "attn.c_proj.bias", 0f, d));
            norm(specs, b + "ln_2", d);
            specs.add(normal(b + "mlp.c_fc.weight", INIT_STD, d, 4 * d));
            specs.add(constant(b + "mlp.c_fc.bias", 0f, 4 * d));
            specs.add(normal(b + "mlp.c_proj.weight", residualStd, 4 * d, d));
            specs.add(constant(b + "mlp.c_proj.bias", 0f, d));
        }
        norm(specs, "ln_f", d);
        return specs;
    }

    private static void norm(List<ParameterSpec> specs, String prefix, int d) {
        specs.add(constant(prefix + ".weight", 1f, d));
        specs.add(constant(prefix + ".bias", 0f, d));
    }

    private static ParameterSpec normal(String name, double std, int rows, int cols) {
        return new ParameterSpec(name, new Shape(rows, cols), std, 0f);
    }

    private static ParameterSpec constant(String name, float value, int size) {
        return new ParameterSpec(name, new Shape(size), -1, value);
    }

    /** A freshly initialised array; normal entries are drawn from {@code random} in row-major order. */
    NDArray create(NDManager manager, SplittableRandom random) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = std < 0 ? constant : (float) (random.nextGaussian() * std);
        }
        return manager.create(values, shape);
    }
}
