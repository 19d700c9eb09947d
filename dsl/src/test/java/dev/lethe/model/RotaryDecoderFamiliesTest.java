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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The phi, phi3 and gpt_neox Hugging Face families: configs as checkpoints have them, errors, saving. */
class RotaryDecoderFamiliesTest {
    private static final Path FILE = Path.of("folder/config.json");
    private static final String SHAPE = "\"vocab_size\": 100, \"hidden_size\": 80, \"intermediate_size\": 64, "
            + "\"num_hidden_layers\": 2, \"num_attention_heads\": 2";

    private static ModelSpec spec(String json) {
        HfConfig c = HfConfig.parse(FILE, json);
        return HfFamilies.forConfig(c).spec(c);
    }

    @Test
    void aPhi2StyleConfigReadsTheTopLevelRotaryFieldsAndNullKeyValueHeads() {
        PhiConfig c = (PhiConfig) spec("{\"model_type\": \"phi\", " + SHAPE + ", \"num_key_value_heads\": null,"
                + " \"partial_rotary_factor\": 0.4, \"rope_theta\": 5000.0, \"rope_scaling\": null,"
                + " \"hidden_act\": \"gelu_new\", \"qk_layernorm\": false, \"layer_norm_eps\": 1e-05}");
        assertEquals(new PhiConfig(100, 80, 64, 2, 2, 2, 1e-5, 5000, 0.4, GptConfig.Activation.GELU_TANH, false, 2048,
                0.02), c);
        assertEquals(16, new Rotary(c.headDim(), c.rotaryFraction(), c.ropeTheta(), RopeScaling.none(), 64).dims(),
                "head 40 × 0.4");
    }

    @Test
    void aPythiaStyleConfigReadsRotaryPctAndRotaryEmbBase() {
        GptNeoXConfig c = (GptNeoXConfig) spec("{\"model_type\": \"gpt_neox\", " + SHAPE + ", \"rotary_pct\": 0.5,"
                + " \"rotary_emb_base\": 20000, \"use_parallel_residual\": false, \"hidden_act\": \"gelu\"}");
        assertEquals(new GptNeoXConfig(100, 80, 64, 2, 2, 1e-5, 20000, 0.5, false, true, GptConfig.Activation.GELU,
                2048, 0.02), c);
        GptNeoXConfig v5 = (GptNeoXConfig) spec("{\"model_type\": \"gpt_neox\", " + SHAPE + ", \"rope_parameters\":"
                + " {\"rope_type\": \"default\", \"rope_theta\": 10000.0, \"partial_rotary_factor\": 0.25}}");
        assertEquals(0.25, v5.rotaryFraction());
        assertTrue(v5.parallelResidual(), "transformers' default");
    }

    @Test
    void aPhi3ConfigReadsItsWindowAndTiedHead() {
        Phi3Config c = (Phi3Config) spec("{\"model_type\": \"phi3\", " + SHAPE + ", \"num_key_value_heads\": 1,"
                + " \"sliding_window\": 2047, \"tie_word_embeddings\": true, \"rope_scaling\": null,"
                + " \"partial_rotary_factor\": 0.75, \"rms_norm_eps\": 1e-06}");
        assertEquals(new Phi3Config(100, 80, 64, 2, 2, 1, 40, 1e-6, 10000, 0.75, RopeScaling.none(), true, 2047, 4096, 0.02), c);
    }

    @Test
    void aPhi3LongRopeConfigReadsItsFactorsAndTheTopLevelOriginalContextAndWritesThemBack() {
        String factors = java.util.stream.IntStream.range(0, 20).mapToObj(i -> String.valueOf(1 + i / 10.0))
                .collect(java.util.stream.Collectors.joining(", "));
        // Phi-3-mini-128k's shape of config: the older type name su, the pretraining context at top level
        Phi3Config c = (Phi3Config) spec("{\"model_type\": \"phi3\", " + SHAPE + ", \"max_position_embeddings\":"
                + " 131072, \"original_max_position_embeddings\": 4096, \"rope_scaling\": {\"type\": \"su\","
                + " \"short_factor\": [" + factors + "], \"long_factor\": [" + factors + "]}}");
        RopeScaling r = c.ropeScaling();
        assertEquals(RopeScaling.Type.LONGROPE, r.type());
        assertEquals(32, r.factor(), "max_position_embeddings / original_max_position_embeddings");
        assertEquals(4096, r.originalMaxPositions());
        assertEquals(2.9, r.longFactor().get(19), 1e-12);
        assertEquals(Math.sqrt(1 + Math.log(32) / Math.log(4096)), r.attentionScaling(), 1e-12);
        com.fasterxml.jackson.databind.node.ObjectNode written = new Phi3Family().config(c);
        assertEquals("longrope", written.path("rope_parameters").path("rope_type").asText());
        assertEquals(4096, written.path("original_max_position_embeddings").asInt());
        assertEquals(c, spec(written.toString()), "what is written reads back as the same shape");
    }

    @Test
    void unsupportedFieldsAreNamedWithWhatIsSupported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\":"
                + " \"phi3\", " + SHAPE + ", \"rope_scaling\": {\"type\": \"su\", \"short_factor\": [1.0]}}"));
        assertEquals(FILE + ": field 'rope_scaling.long_factor' is missing; longrope needs a list of numbers",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"phi3\", " + SHAPE
                + ", \"rope_scaling\": {\"type\": \"longrope\", \"short_factor\": [1.0], \"long_factor\": [2.0]}}"));
        assertEquals(FILE + ": longrope has 1 factors per list; 40 rotated dimensions need 20", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"phi3\", " + SHAPE
                + ", \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2.0}}"));
        assertEquals(FILE + ": field 'rope_scaling' is {\"type\":\"dynamic\",\"factor\":2.0}; supported: rope_type"
                + " default (unscaled rotary; rope_theta and partial_rotary_factor read)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"phi\", " + SHAPE
                + ", \"tie_word_embeddings\": true}"));
        assertTrue(e.getMessage().startsWith(FILE + ": field 'tie_word_embeddings' is true; supported: false"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"phi\", " + SHAPE
                + ", \"head_dim\": 32}"));
        assertEquals(FILE + ": field 'head_dim' is 32; supported: null or hidden_size / num_attention_heads = 40"
                + " (phi's q/k LayerNorms are that wide)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"gpt_neox\", " + SHAPE
                + ", \"hidden_act\": \"relu\"}"));
        assertEquals(FILE + ": field 'hidden_act' is \"relu\"; supported: gelu_new, gelu_pytorch_tanh, gelu",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"phi3\", " + SHAPE
                + ", \"hidden_act\": \"gelu\"}"));
        assertEquals(FILE + ": field 'hidden_act' is \"gelu\"; supported: silu", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("{\"model_type\": \"gpt_neox\", " + SHAPE
                + ", \"rotary_pct\": 0.275}"));
        assertEquals(FILE + ": rotary dimensions (head dim 40 × fraction 0.275 = 11) must be even and at least 2",
                e.getMessage());
    }

    @Test
    void oldCheckpointsBuffersAreSkippedAndOnlyLinearWeightsAreTransposed() {
        HfFamily neox = new GptNeoXFamily();
        for (String buffer : List.of("gpt_neox.layers.0.attention.bias", "gpt_neox.layers.0.attention.masked_bias",
                "gpt_neox.layers.3.attention.rotary_emb.inv_freq")) {
            assertEquals(null, neox.parameterName(buffer), buffer);
        }
        assertEquals("gpt_neox.layers.0.attention.dense.bias",
                neox.parameterName("gpt_neox.layers.0.attention.dense.bias"));
        assertEquals(List.of(true, true, true, false, false, false), Stream.of(
                "gpt_neox.layers.0.attention.query_key_value.weight", "gpt_neox.layers.1.mlp.dense_4h_to_h.weight",
                "embed_out.weight", "gpt_neox.embed_in.weight", "gpt_neox.layers.0.input_layernorm.weight",
                "gpt_neox.layers.0.attention.query_key_value.bias").map(neox::transposedInCheckpoint).toList());
        assertEquals("embed_out.weight", neox.headCheckpointName());
        HfFamily phi = new PhiFamily();
        assertEquals(null, phi.parameterName("model.layers.0.self_attn.rotary_emb.inv_freq"));
        assertEquals(List.of(true, true, true, true, false, false, false), Stream.of(
                "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.dense.weight",
                "model.layers.0.mlp.fc1.weight", "lm_head.weight", "lm_head.bias", "model.embed_tokens.weight",
                "model.layers.0.self_attn.q_layernorm.weight").map(phi::transposedInCheckpoint).toList());
        HfFamily phi3 = new Phi3Family();
        assertEquals(List.of(true, true, false, false), Stream.of("model.layers.0.self_attn.qkv_proj.weight",
                "model.layers.0.mlp.gate_up_proj.weight", "model.norm.weight", "model.embed_tokens.weight")
                .map(phi3::transposedInCheckpoint).toList());
    }

    @Test
    void theWrittenConfigReadsBackAsTheSameSpec() {
        for (ModelSpec s : shapes()) {
            HfFamily family = HfFamilies.forSpec(s);
            assertEquals(s, family.spec(HfConfig.parse(FILE, family.config(s).toString())), s.toString());
        }
    }

    private static List<ModelSpec> shapes() {
        return List.of(
                new PhiConfig(120, 32, 48, 2, 4, 2, 1e-5, 10000, 0.5, GptConfig.Activation.GELU_TANH, true, 64, 0.2),
                new Phi3Config(120, 32, 48, 2, 4, 2, 8, 1e-5, 10000, 0.75, RopeScaling.none(), true, 4, 64, 0.2),
                new Phi3Config(120, 32, 48, 2, 4, 4, 8, 1e-5, 500000, 1, RopeScaling.none(), false, 0, 64, 0.2),
                new GptNeoXConfig(120, 32, 48, 2, 4, 1e-5, 10000, 0.25, false, false, GptConfig.Activation.GELU, 64,
                        0.2));
    }

    @Test
    void transformersLoadsSavedFoldersToTheSameLogits(@TempDir Path dir) throws IOException {
        long[] tokens = {5, 99, 17, 3, 64, 12, 8, 110, 41, 27, 2, 77};
        String ids = String.join(",", Arrays.stream(tokens).mapToObj(Long::toString).toList());
        List<ModelSpec> shapes = shapes();
        List<float[]> ours = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of("logits", "--tokens", ids));
        for (int i = 0; i < shapes.size(); i++) {
            Path folder = dir.resolve("model" + i);
            try (CausalLm model = CausalLm.initialize(shapes.get(i), 7, Device.cpu()); NDScope scope = new NDScope()) {
                HfFolder.save(folder, model, null);
                ours.add(model.forward(model.manager().create(tokens, new Shape(1, tokens.length))).logits()
                        .toFloatArray());
            }
            args.addAll(List.of("--model", folder.toString(), "--out", dir.resolve(i + ".json").toString()));
        }
        ReferencePython.run("hf_reference.py", 300, args.toArray(String[]::new));
        for (int i = 0; i < shapes.size(); i++) {
            JsonNode theirs = new ObjectMapper().readTree(dir.resolve(i + ".json").toFile()).get("logits").get(0);
            double max = 0;
            int k = 0;
            for (JsonNode row : theirs) {
                for (JsonNode v : row) {
                    max = Math.max(max, Math.abs(v.asDouble() - ours.get(i)[k++]));
                }
            }
            assertEquals(ours.get(i).length, k);
            assertTrue(max <= 1e-5, shapes.get(i) + ": max |Δlogit| " + max);
        }
    }
}
