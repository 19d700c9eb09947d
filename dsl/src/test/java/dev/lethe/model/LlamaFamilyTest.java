package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Llama-family config.json reading and writing, and transformers reading Lethe's saved folders. */
class LlamaFamilyTest {
    private static final Path FILE = Path.of("folder/config.json");
    private static final LlamaFamily FAMILY = new LlamaFamily();

    private static LlamaConfig spec(String json) {
        return (LlamaConfig) FAMILY.spec(HfConfig.parse(FILE, json));
    }

    private static final String SHAPE = "\"vocab_size\": 300, \"hidden_size\": 64, \"intermediate_size\": 128,"
            + " \"num_hidden_layers\": 4, \"num_attention_heads\": 4";

    @Test
    void aLlama31ConfigAsCheckpointsHaveItReadsRopeThetaAndRopeScaling() {
        LlamaConfig c = spec("{\"model_type\": \"llama\", " + SHAPE + ", \"num_key_value_heads\": 2,"
                + " \"rope_theta\": 500000.0, \"tie_word_embeddings\": true, \"rope_scaling\": {\"rope_type\": \"llama3\","
                + " \"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192}, \"max_position_embeddings\": 131072}");
        assertEquals(LlamaConfig.llama(300, 64, 128, 4, 4, 2).withTiedHead(true)
                .withRope(500000, RopeScaling.llama3(32, 1, 4, 8192)).withMaxPositions(131072), c);
    }

    @Test
    void transformers5RopeParametersAndQwenSlidingLayersAreRead() {
        LlamaConfig c = spec("{\"model_type\": \"qwen2\", " + SHAPE + ", \"rope_parameters\": {\"rope_type\": \"linear\","
                + " \"rope_theta\": 1000000.0, \"factor\": 2.0}, \"use_sliding_window\": true, \"sliding_window\": 16,"
                + " \"max_window_layers\": 3}");
        assertEquals(RopeScaling.linear(2), c.ropeScaling());
        assertEquals(1e6, c.ropeTheta());
        assertEquals(List.of(0, 0, 0, 16), List.of(c.window(0), c.window(1), c.window(2), c.window(3)));
        assertTrue(c.qkvBias() && !c.outputBias(), "qwen2: q/k/v biases only");
        assertEquals(32768, c.maxPositions(), "transformers' qwen2 default");
        assertEquals(128, spec("{\"model_type\": \"qwen3\", " + SHAPE + "}").headDim(), "qwen3's default head_dim");
        assertEquals(4096, spec("{\"model_type\": \"mistral\", " + SHAPE + "}").slidingWindow(),
                "mistral's default window");
        assertEquals(0, spec("{\"model_type\": \"mistral\", " + SHAPE + ", \"sliding_window\": null}").slidingWindow());
    }

    @Test
    void unsupportedFieldsAreNamedWithWhatIsSupported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\":"
                + " \"llama\", " + SHAPE + ", \"rope_scaling\": {\"rope_type\": \"mrope\", \"factor\": 2.0}}"));
        assertEquals(FILE + ": field 'rope_scaling' is {\"rope_type\":\"mrope\",\"factor\":2.0}; supported: rope_type"
                + " one of default, linear, dynamic, llama3, yarn, longrope", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"llama\", " + SHAPE
                + ", \"rope_scaling\": {\"rope_type\": \"longrope\", \"factor\": 2.0}}"));
        assertEquals(FILE + ": field 'rope_scaling.short_factor' is missing; longrope needs a list of numbers",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> spec("{\"model_type\": \"llama\", " + SHAPE + ", \"hidden_act\": \"gelu\"}"));
        assertEquals(FILE + ": field 'hidden_act' is \"gelu\"; supported: silu", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"llama\", " + SHAPE
                + ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}"));
        assertTrue(e.getMessage().contains("'rope_scaling.low_freq_factor' is missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"qwen3\", " + SHAPE
                + ", \"layer_types\": [\"sliding_attention\", \"full_attention\", \"full_attention\","
                + " \"full_attention\"]}"));
        assertTrue(e.getMessage().startsWith(FILE + ": field 'layer_types'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"llama\", " + SHAPE
                + ", \"num_key_value_heads\": 3}"));
        assertTrue(e.getMessage().startsWith(FILE + ": kvHeads must divide heads"), e.getMessage());
    }

    @Test
    void theWrittenConfigReadsBackAsTheSameSpec() {
        for (LlamaConfig c : List.of(LlamaConfig.llama(300, 64, 128, 2, 4, 2).withBiases(true, true, true)
                        .withRope(500000, RopeScaling.llama3(8, 1, 4, 16)),
                LlamaConfig.of("mistral", 300, 64, 128, 2, 4, 1).withSlidingWindow(8, 0).withTiedHead(true),
                LlamaConfig.of("qwen2", 300, 64, 128, 3, 4, 2).withSlidingWindow(8, 1)
                        .withRope(10000, RopeScaling.dynamic(2)),
                LlamaConfig.of("qwen3", 300, 64, 128, 2, 4, 2).withHeadDim(16)
                        .withRope(10000, RopeScaling.yarn(4, 32)),
                LlamaConfig.llama(300, 64, 128, 2, 4, 2).withRope(10000, RopeScaling.longrope(
                        List.of(1.0, 1.1, 1.2, 1.3, 1.5, 2.0, 3.0, 4.0), List.of(1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0),
                        4, 512, 1.1)))) {
            assertEquals(c, FAMILY.spec(HfConfig.parse(FILE, FAMILY.config(c).toString())), c.modelType());
        }
    }

    /** A Lethe-made model of each type, saved by HfFolder, gives the same logits in transformers. */
    @Test
    void transformersLoadsSavedFoldersToTheSameLogits(@TempDir Path dir) throws IOException {
        List<LlamaConfig> configs = List.of(
                LlamaConfig.llama(120, 32, 48, 2, 4, 2).withBiases(true, true, true)
                        .withRope(500000, RopeScaling.llama3(8, 1, 4, 8)).withNormAndInit(1e-5, 0.2),
                LlamaConfig.of("mistral", 120, 32, 48, 2, 4, 1).withSlidingWindow(4, 0).withTiedHead(true)
                        .withNormAndInit(1e-6, 0.2),
                LlamaConfig.of("qwen2", 120, 32, 48, 2, 4, 2).withNormAndInit(1e-6, 0.2),
                LlamaConfig.of("qwen3", 120, 32, 48, 2, 4, 2).withHeadDim(12).withRope(10000, RopeScaling.yarn(4, 8))
                        .withNormAndInit(1e-6, 0.2));
        long[] tokens = {5, 99, 17, 3, 64, 12, 8, 110, 41, 27, 2, 77};
        String ids = String.join(",", java.util.Arrays.stream(tokens).mapToObj(Long::toString).toList());
        for (LlamaConfig c : configs) {
            Path folder = dir.resolve(c.modelType());
            float[] ours;
            try (CausalLm model = CausalLm.initialize(c, 7, Device.cpu()); NDScope scope = new NDScope()) {
                HfFolder.save(folder, model, null);
                ours = model.forward(model.manager().create(tokens, new Shape(1, tokens.length))).logits()
                        .toFloatArray();
            }
            Path out = dir.resolve(c.modelType() + ".json");
            ReferencePython.run("hf_reference.py", 300, "logits", "--model", folder.toString(), "--tokens", ids,
                    "--out", out.toString());
            JsonNode theirs = new ObjectMapper().readTree(out.toFile()).get("logits").get(0);
            double max = 0;
            int k = 0;
            for (JsonNode row : theirs) {
                for (JsonNode v : row) {
                    max = Math.max(max, Math.abs(v.asDouble() - ours[k++]));
                }
            }
            assertEquals(ours.length, k);
            assertTrue(max <= 1e-5, c.modelType() + ": max |Δlogit| " + max);
        }
    }
}
