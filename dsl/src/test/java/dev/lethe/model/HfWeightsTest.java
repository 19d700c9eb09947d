package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weights of a family that stores its projections as {@code nn.Linear} does, (out, in): written transposed
 * under the checkpoint names, read back to the same (in, out) parameters, and a misshapen or missing tensor is
 * named with its file.
 */
class HfWeightsTest {
    private static final GptConfig CONFIG = new GptConfig(20, 1, 8, 2, 8, 0f);

    /** GPT-2's parameters under a {@code model.} prefix, with every projection matrix stored (out, in). */
    private static final HfFamily LINEAR = new HfFamily() {
        @Override
        public List<String> modelTypes() {
            return List.of("linear-test");
        }

        @Override
        public Class<? extends ModelSpec> specClass() {
            return GptConfig.class;
        }

        @Override
        public ModelSpec spec(HfConfig config) {
            return CONFIG;
        }

        @Override
        public @Nullable String parameterName(String checkpointName) {
            return checkpointName.endsWith(".rotary.inv_freq") ? null : checkpointName.substring("model.".length());
        }

        @Override
        public String checkpointName(String parameterName) {
            return "model." + parameterName;
        }

        @Override
        public boolean transposedInCheckpoint(String parameterName) {
            return parameterName.matches("h\\.\\d+\\.(attn|mlp)\\.\\w+\\.weight");
        }

        @Override
        public ObjectNode config(ModelSpec spec) {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    void projectionsAreStoredTransposedAndReadBackAsTheyWere(@TempDir Path tmp) {
        try (CausalLm model = CausalLm.initialize(CONFIG, 4, Device.cpu());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            List<Path> files = HfWeights.write(tmp, LINEAR, model,
                    new HfWeights.Layout(Safetensors.StoredType.F32, 0));
            assertEquals(List.of(tmp.resolve("model.safetensors")), files);
            Map<String, NDArray> stored = Safetensors.read(files.get(0), manager);
            NDArray qkv = model.weights().get("h.0.attn.c_attn.weight");
            NDArray storedQkv = stored.get("model.h.0.attn.c_attn.weight");
            assertEquals(new Shape(24, 8), storedQkv.getShape(), "(out, in) in the checkpoint");
            assertArrayEquals(qkv.transpose().toFloatArray(), storedQkv.toFloatArray());
            assertEquals(new Shape(20, 8), stored.get("model.wte.weight").getShape(), "embeddings are not transposed");

            HfWeights.Read read = HfWeights.read(tmp, LINEAR, CONFIG.architecture(), manager);
            assertEquals(model.weights().names(), read.parameters().keySet());
            model.weights().forEach((name, a) -> assertArrayEquals(a.toFloatArray(),
                    read.parameters().get(name).toFloatArray(), name));
        }
    }

    @Test
    void aMisshapenOrMissingTensorIsNamedWithItsFile(@TempDir Path tmp) throws Exception {
        try (CausalLm model = CausalLm.initialize(CONFIG, 4, Device.cpu());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Path file = tmp.resolve("model.safetensors");
            Map<String, NDArray> tensors = new java.util.LinkedHashMap<>();
            model.weights().forEach((name, a) -> tensors.put("model." + name, a)); // projections not transposed
            tensors.put("model.h.0.rotary.inv_freq", manager.ones(new Shape(4))); // a buffer, skipped
            Safetensors.write(file, tensors, Map.of());
            var misshapen = assertThrows(IllegalArgumentException.class,
                    () -> HfWeights.read(tmp, LINEAR, CONFIG.architecture(), manager));
            assertTrue(misshapen.getMessage().startsWith(file + ": tensor 'model.h.0.attn.c_attn.weight' has shape "
                    + "(8, 24), expected (24, 8)"), misshapen.getMessage());

            tensors.clear();
            tensors.put("model.wte.weight", model.weights().get("wte.weight"));
            Safetensors.write(file, tensors, Map.of());
            var missing = assertThrows(IllegalArgumentException.class,
                    () -> HfWeights.read(tmp, LINEAR, CONFIG.architecture(), manager));
            assertTrue(missing.getMessage().startsWith(file + ": tensor 'model.wpe.weight' is missing"),
                    missing.getMessage());
            Files.delete(file);
        }
    }
}
