package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam does not assume GPT-2: a toy architecture with no position embedding, a gated MLP (SwiGLU,
 * Shazeer 2020, "GLU Variants Improve Transformer", eq. 6, without attention) and an untied head runs
 * through {@link CausalLm}'s lifecycle, hooks and adapters unchanged.
 */
class AnotherArchitectureTest {

    /** {@code x = E[tokens]}; per block {@code x += (silu(x·G) ⊙ (x·U))·D}; {@code logits = x·H}. */
    record GatedToy(int vocabSize, int width, int inner, int layers, int contextLength)
            implements ModelSpec, Architecture {

        @Override
        public Architecture architecture() {
            return this;
        }

        @Override
        public float dropout() {
            return 0f;
        }

        @Override
        public GatedToy withVocabSize(int newVocabSize) {
            return new GatedToy(newVocabSize, width, inner, layers, contextLength);
        }

        @Override
        public List<ParameterSpec> parameters() {
            List<ParameterSpec> p = new ArrayList<>();
            p.add(ParameterSpec.normal("embed_tokens.weight", 0.5, vocabSize, width));
            for (int l = 0; l < layers; l++) {
                p.add(ParameterSpec.normal("layers." + l + ".gate_proj.weight", 0.5, width, inner));
                p.add(ParameterSpec.normal("layers." + l + ".up_proj.weight", 0.5, width, inner));
                p.add(ParameterSpec.normal("layers." + l + ".down_proj.weight", 0.5, inner, width));
            }
            p.add(ParameterSpec.normal("lm_head.weight", 0.5, width, vocabSize));
            return p;
        }

        @Override
        public int blocks() {
            return layers;
        }

        @Override
        public List<RoleModule> roles() {
            List<RoleModule> r = new ArrayList<>();
            r.add(new RoleModule(Role.TOKEN_EMBEDDING, RoleModule.WHOLE_MODEL, "embed_tokens", false));
            for (int l = 0; l < layers; l++) {
                r.add(new RoleModule(Role.MLP_GATE, l, "layers." + l + ".gate_proj", false));
                r.add(new RoleModule(Role.MLP_UP, l, "layers." + l + ".up_proj", false));
                r.add(new RoleModule(Role.MLP_DOWN, l, "layers." + l + ".down_proj", false));
            }
            r.add(new RoleModule(Role.LM_HEAD, RoleModule.WHOLE_MODEL, "lm_head", false));
            return r;
        }

        @Override
        public NDArray forward(Weights weights, NDArray tokens, boolean training, Map<String, LowRank> adapters,
                List<ActivationHook> hooks) {
            NDArray e = weights.get("embed_tokens.weight");
            NDArray x = e.getNDArrayInternal().embedding(tokens, e, SparseFormat.DENSE).singletonOrThrow();
            for (int l = 0; l < layers; l++) {
                for (ActivationHook h : hooks) {
                    x = h.apply(l, ActivationHook.Position.ENTERING, x);
                }
                NDArray gate = project(weights, adapters, x, "layers." + l + ".gate_proj");
                NDArray up = project(weights, adapters, x, "layers." + l + ".up_proj");
                NDArray hidden = Activation.sigmoid(gate).mul(gate).mul(up);
                x = x.add(project(weights, adapters, hidden, "layers." + l + ".down_proj"));
                for (ActivationHook h : hooks) {
                    x = h.apply(l, ActivationHook.Position.LEAVING, x);
                }
            }
            return x.matMul(weights.get("lm_head.weight"));
        }

        private static NDArray project(Weights weights, Map<String, LowRank> adapters, NDArray x, String module) {
            NDArray y = x.matMul(weights.get(module + ".weight"));
            LowRank update = adapters.get(module);
            return update == null ? y : y.add(update.apply(x));
        }
    }

    private static final GatedToy TOY = new GatedToy(11, 6, 10, 2, 8);

    @Test
    void aGatedModelWithoutPositionEmbeddingAndWithAnUntiedHeadRunsThroughTheLifecycle(@TempDir Path dir) {
        try (CausalLm model = CausalLm.initialize(TOY, 3, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            Architecture a = model.architecture();
            assertEquals(Optional.empty(), a.find(Role.POSITION_EMBEDDING));
            assertEquals("layers.1.gate_proj", a.find(Role.MLP_GATE, 1).orElseThrow().name());
            assertEquals(List.of(Role.LM_HEAD), model.weights().rolesOf("lm_head.weight").stream()
                    .map(RoleModule::role).toList(), "the head is its own array");
            assertThrows(IllegalStateException.class, model::config, "not a GptConfig");

            NDArray tokens = m.create(new long[] {1, 4, 2, 7, 3, 0}, new Shape(2, 3));
            ModelOutput out = model.forward(tokens, false, true);
            assertEquals(new Shape(2, 3, 11), out.logits().getShape());
            assertEquals(3, out.hiddenStates().size(), "embeddings and the output of both blocks");

            Path file = dir.resolve("toy.safetensors");
            model.save(file);
            try (CausalLm loaded = CausalLm.load(file, TOY, Device.cpu()); CausalLm copy = loaded.copy()) {
                assertArrayEquals(out.logits().toFloatArray(), copy.forward(tokens).logits().toFloatArray(), 0f);
            }

            RoleModule gate = a.find(Role.MLP_GATE, 0).orElseThrow();
            try (NDManager adapterManager = model.manager().newSubManager()) {
                NDArray la = adapterManager.ones(new Shape(6, 2));
                NDArray lb = adapterManager.ones(new Shape(2, 10));
                CausalLm view = model.withAdapters(Map.of(gate.name(), new LowRank(la, lb, 0.5)), adapterManager);
                assertEquals(List.of("layers.0.gate_proj.lora_A", "layers.0.gate_proj.lora_B"),
                        List.copyOf(view.weights().names()));
                assertFalse(java.util.Arrays.equals(out.logits().toFloatArray(),
                        view.forward(tokens).logits().toFloatArray()), "the adapter on the gate counts");
            }
            assertEquals(a.roles(), model.weights().roles(), "the weights know their roles");
        }
    }
}
