package dev.lethe.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/** Tiny GPT-2 models for decoding tests. */
public final class TinyGpt2 {
    private TinyGpt2() {}

    /**
     * A model of {@code config} initialised with {@code seed}, its weights scaled up 25× so that its
     * next-token distributions are peaked: greedy choices are then far from ties, and a different
     * rounding order cannot flip them.
     */
    public static CausalLm peaked(GptConfig config, long seed) {
        CausalLm model = CausalLm.initialize(config, seed, Device.cpu());
        model.baseWeights().forEach((name, a) -> {
            if (name.endsWith(".weight") && a.getShape().dimension() == 2) {
                NDArray scaled = Scalars.times(a, 25);
                a.set(scaled.toFloatArray());
                scaled.close();
            }
        });
        return model;
    }
}
