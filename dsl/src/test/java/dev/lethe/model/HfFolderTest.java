package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny Hugging Face GPT-2 folder, built here, loads, computes, saves and loads again. */
class HfFolderTest {
    private static final List<String> TEXTS = List.of("Ada Lovelace was born in London.",
            "The capital of France is Paris.", "What is Ada's favourite number? It is forty-two.");
    private static final WordTokenizer WORDS = WordTokenizer.fit(TEXTS);
    private static final GptConfig CONFIG = new GptConfig(WORDS.vocabSize(), 2, 16, 2, 24, 0f,
            GptConfig.Activation.GELU_TANH);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes a folder as Hugging Face's GPT2LMHeadModel does: prefixed names, F16, tied lm_head, mask buffers. */
    private static void writeHfFolder(Path dir, CausalLm model, boolean untiedHead) throws Exception {
        Files.createDirectories(dir);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            model.weights().forEach((name, w) -> tensors.put("transformer." + name, w.toType(DataType.FLOAT16, false)));
            NDArray wte = model.weights().get("wte.weight").toType(DataType.FLOAT16, false);
            tensors.put("lm_head.weight", untiedHead ? wte.add(1f) : wte);
            for (int l = 0; l < CONFIG.layers(); l++) {
                tensors.put("transformer.h." + l + ".attn.bias", m.ones(new Shape(1, 1, 24, 24)));
            }
            Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        }
        ObjectNode config = JSON.createObjectNode().put("model_type", "gpt2").put("vocab_size", CONFIG.vocabSize())
                .put("n_positions", 24).put("n_embd", 16).put("n_layer", 2).put("n_head", 2).putNull("n_inner")
                .put("activation_function", "gelu_new").put("layer_norm_epsilon", 1e-5)
                .put("bos_token_id", WORDS.bosId()).put("eos_token_id", WORDS.eosId());
        Files.writeString(dir.resolve("config.json"), config.toPrettyString());
        Files.writeString(dir.resolve("tokenizer.json"), HfFolder.wordLevel(WORDS));
    }

    private static float[] logits(CausalLm model, Tokenizer tokenizer) {
        try (NDScope scope = new NDScope()) {
            int[] ids = tokenizer.encode("The capital of France is");
            long[] row = new long[ids.length + 1];
            row[0] = tokenizer.bosId();
            for (int i = 0; i < ids.length; i++) {
                row[i + 1] = ids[i];
            }
            NDArray tokens = model.manager().create(row, new Shape(1, row.length));
            return model.forward(tokens).logits().toFloatArray();
        }
    }

    @Test
    void aHuggingFaceFolderLoadsSavesAndLoadsToIdenticalLogits(@TempDir Path tmp) throws Exception {
        Path hf = tmp.resolve("hf");
        float[] original;
        try (CausalLm source = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            writeHfFolder(hf, source, false);
            original = logits(source, WORDS);
        }
        float[] first;
        Path saved = tmp.resolve("saved");
        try (HfFolder.Pretrained p = HfFolder.load(hf, Device.cpu())) {
            assertTrue(p.tokenizer() instanceof HfTokenizer, "tokenizer.json read through DJL's tokenizers");
            assertEquals(GptConfig.Activation.GELU_TANH, p.model().config().activation());
            first = logits(p.model(), p.tokenizer());
            HfFolder.save(saved, p.model(), p.tokenizer());
        }
        // F16 storage rounds the weights: close to the F32 source, not equal
        float maxDiff = 0;
        for (int i = 0; i < first.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(first[i] - original[i]));
        }
        assertTrue(maxDiff < 1e-2 && maxDiff > 0, "F16 rounding only: " + maxDiff);
        try (HfFolder.Pretrained again = HfFolder.load(saved, Device.cpu())) {
            assertArrayEquals(first, logits(again.model(), again.tokenizer()), "load -> save -> load");
            assertTrue(Files.readString(saved.resolve("config.json")).contains("\"activation_function\" : \"gelu_new\""));
        }
    }

    @Test
    void theGeneratedTokenizerJsonSplitsAndNumbersWordsAsLethesTokenizer(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("tokenizer.json");
        Files.writeString(file, HfFolder.wordLevel(WORDS));
        try (HfTokenizer hf = HfTokenizer.load(file, WORDS.bosId(), WORDS.eosId(), WORDS.padId())) {
            assertEquals(WORDS.vocabulary(), hf.vocabulary());
            for (String text : List.of("What is Ada's favourite number?", "Paris, London; forty-two.", "unseen words")) {
                assertArrayEquals(WORDS.encode(text), hf.encode(text), text);
            }
        }
    }

    @Test
    void aLetheModelSavedAsAFolderReloadsWithItsOwnTokenizer(@TempDir Path tmp) {
        try (CausalLm model = CausalLm.initialize(CONFIG.withVocabSize(WORDS.vocabSize()), 5, Device.cpu())) {
            HfFolder.save(tmp, model, WORDS);
            try (HfFolder.Pretrained p = HfFolder.load(tmp, Device.cpu())) {
                assertEquals(WORDS, p.tokenizer());
                assertArrayEquals(logits(model, WORDS), logits(p.model(), p.tokenizer()));
            }
        }
    }

    @Test
    void bf16WeightsAreWidenedInJava(@TempDir Path tmp) throws Exception {
        try (CausalLm source = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            writeHfFolder(tmp, source, false);
            // rewrite the weights as BF16: the upper 16 bits of each F32
            ObjectNode header = JSON.createObjectNode();
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            Map<String, float[]> truncated = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : source.weights().asMap().entrySet()) {
                float[] values = e.getValue().toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                float[] t = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    int bits = Float.floatToIntBits(values[i]) >>> 16;
                    b.putShort((short) bits);
                    t[i] = Float.intBitsToFloat(bits << 16);
                }
                truncated.put(e.getKey(), t);
                ObjectNode entry = header.putObject(e.getKey());
                entry.put("dtype", "BF16");
                var shape = entry.putArray("shape");
                for (long d : e.getValue().getShape().getShape()) {
                    shape.add(d);
                }
                entry.putArray("data_offsets").add(data.size()).add(data.size() + values.length * 2);
                data.write(b.array());
            }
            byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            file.write(json);
            file.write(data.toByteArray());
            Files.write(tmp.resolve("model.safetensors"), file.toByteArray());
            try (HfFolder.Pretrained p = HfFolder.load(tmp, Device.cpu())) {
                NDArray wte = p.model().weights().get("wte.weight");
                assertEquals(DataType.FLOAT32, wte.getDataType());
                assertArrayEquals(truncated.get("wte.weight"), wte.toFloatArray());
            }
        }
    }

    @Test
    void unsupportedOrBrokenFoldersNameTheFileAndField(@TempDir Path tmp) throws Exception {
        try (CausalLm source = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            writeHfFolder(tmp, source, true);
        }
        var untied = assertThrows(IllegalArgumentException.class, () -> HfFolder.load(tmp, Device.cpu()));
        assertTrue(untied.getMessage().contains("model.safetensors") && untied.getMessage().contains("lm_head.weight"),
                untied.getMessage());

        Path config = tmp.resolve("config.json");
        String good = Files.readString(config);
        Files.writeString(config, good.replace("\"gelu_new\"", "\"relu\""));
        var act = assertThrows(IllegalArgumentException.class, () -> HfFolder.load(tmp, Device.cpu()));
        assertTrue(act.getMessage().contains("config.json") && act.getMessage().contains("activation_function"),
                act.getMessage());

        Files.writeString(config, good.replace("\"n_embd\" : 16,", ""));
        var missing = assertThrows(IllegalArgumentException.class, () -> HfFolder.load(tmp, Device.cpu()));
        assertTrue(missing.getMessage().contains("config.json") && missing.getMessage().contains("n_embd"),
                missing.getMessage());

        Files.writeString(config, "{ \"n_embd\": 16,\n  \"n_layer\": ");
        var broken = assertThrows(IllegalArgumentException.class, () -> HfFolder.load(tmp, Device.cpu()));
        assertTrue(broken.getMessage().contains("config.json") && broken.getMessage().contains("line 2"),
                broken.getMessage());
    }

    @Test
    void tanhGeluMatchesHandValues() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] y = Gpt2.geluTanh(m.create(new float[] {1f, -2f, 0.5f})).toFloatArray();
            // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), evaluated in double precision
            assertEquals(0.8411919906082768, y[0], 1e-6);
            assertEquals(-0.04540230591222494, y[1], 1e-6);
            assertEquals(0.34571400982514394, y[2], 1e-6);
        }
    }

    @Test
    void anUnknownModelTypeNamesTheFolderTheFieldAndWhatIsSupported(@TempDir Path tmp) throws Exception {
        try (CausalLm source = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            writeHfFolder(tmp, source, false);
        }
        Path config = tmp.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"gpt2\"", "\"bert\""));
        var e = assertThrows(IllegalArgumentException.class, () -> HfFolder.load(tmp, Device.cpu()));
        assertEquals(config + ": field 'model_type' is \"bert\"; supported: " + String.join(", ",
                HfFamilies.modelTypes()), e.getMessage());
        assertTrue(HfFamilies.modelTypes().contains("gpt2"));
    }

    @Test
    void aShardedSaveLoadsThroughItsIndexAndKeepsTheSourceConfigsOtherFields(@TempDir Path tmp) throws Exception {
        Path hf = tmp.resolve("hf");
        try (CausalLm source = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            writeHfFolder(hf, source, false);
        }
        Path config = hf.resolve("config.json");
        ObjectNode json = (ObjectNode) JSON.readTree(config.toFile());
        json.put("torch_dtype", "float16").put("lethe_test_field", 7).putArray("architectures").add("GPT2LMHeadModel");
        Files.writeString(config, json.toPrettyString());
        Files.writeString(hf.resolve("generation_config.json"), "{\"max_length\": 11}");
        Path saved = tmp.resolve("saved");
        float[] before;
        try (HfFolder.Pretrained p = HfFolder.load(hf, Device.cpu())) {
            before = logits(p.model(), p.tokenizer());
            // every matrix of this model is 2-4 KB in F16, so 3000 bytes gives several shards
            HfFolder.save(saved, p.model(), p.tokenizer(), HfFolder.SaveOptions.defaults().withSource(hf)
                    .withDtype(HfFolder.Dtype.F16).withMaxShardBytes(HfFolder.parseSize("3KB")));
        }
        JsonNode index = JSON.readTree(saved.resolve("model.safetensors.index.json").toFile());
        long shards = java.util.stream.StreamSupport.stream(index.get("weight_map").spliterator(), false)
                .map(JsonNode::asText).distinct().count();
        assertTrue(shards > 2, "sharded: " + index);
        assertEquals("transformer.wte.weight", index.get("weight_map").fieldNames().next(), "checkpoint names");
        assertTrue(Files.notExists(saved.resolve("model.safetensors")));
        JsonNode savedConfig = JSON.readTree(saved.resolve("config.json").toFile());
        assertEquals(7, savedConfig.get("lethe_test_field").asInt(), "an unmodelled field is kept");
        assertEquals("float16", savedConfig.get("torch_dtype").asText());
        assertEquals("float16", savedConfig.get("dtype").asText());
        assertEquals(WORDS.eosId(), savedConfig.get("eos_token_id").asInt());
        assertFalse(savedConfig.has("pad_token_id"), "the source's config is not given fields it lacked");
        assertEquals("{\"max_length\": 11}", Files.readString(saved.resolve("generation_config.json")));
        try (HfFolder.Pretrained again = HfFolder.load(saved, Device.cpu())) {
            // the weights were F16 already, so storing them as F16 again is exact
            assertArrayEquals(before, logits(again.model(), again.tokenizer()));
        }

        // a shard the index names but the folder lacks is named
        Path indexFile = saved.resolve("model.safetensors.index.json");
        String goodIndex = Files.readString(indexFile);
        Files.move(saved.resolve("model-00002-of-" + String.format("%05d", shards) + ".safetensors"),
                tmp.resolve("moved.safetensors"));
        var absent = assertThrows(IllegalArgumentException.class, () -> HfFolder.load(saved, Device.cpu()));
        assertTrue(absent.getMessage().contains("model-00002-of-"), absent.getMessage());
        Files.writeString(indexFile, goodIndex);

        // a shard path that leaves the folder is refused, naming the index and the tensor
        Files.writeString(indexFile, Files.readString(indexFile).replace("\"model-00001-of-", "\"../model-00001-of-"));
        var outside = assertThrows(IllegalArgumentException.class, () -> HfFolder.load(saved, Device.cpu()));
        assertTrue(outside.getMessage().contains("model.safetensors.index.json") && outside.getMessage()
                .contains("weight_map") && outside.getMessage().contains("transformer.wte.weight"), outside.getMessage());
    }

    @Test
    void aSaveThatWouldLeaveOtherWeightsBehindIsRefusedAndDeletesNothing(@TempDir Path tmp) throws Exception {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu())) {
            HfFolder.save(tmp, model, WORDS);
            byte[] single = Files.readAllBytes(tmp.resolve("model.safetensors"));
            var e = assertThrows(IllegalArgumentException.class, () -> HfFolder.save(tmp, model, WORDS,
                    HfFolder.SaveOptions.defaults().withMaxShardBytes(1000)));
            assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("empty folder"),
                    e.getMessage());
            assertArrayEquals(single, Files.readAllBytes(tmp.resolve("model.safetensors")));
            try (var files = Files.list(tmp)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("model-")), "no shard written");
            }
            // saving the same layout again replaces the file in place
            HfFolder.save(tmp, model, WORDS);
        }
    }

    @Test
    void aFolderWithoutTokenizerLoadsTheModelAlone(@TempDir Path tmp) throws Exception {
        try (CausalLm source = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            writeHfFolder(tmp, source, false);
        }
        Files.delete(tmp.resolve("tokenizer.json"));
        try (HfFolder.Pretrained p = HfFolder.load(tmp, Device.cpu())) {
            assertEquals(null, p.tokenizer());
            assertEquals(CONFIG.vocabSize(), p.model().spec().vocabSize());
        }
    }

    @Test
    void aListOfEosIdsAsLlama3WritesThemGivesTheTokenizerTheFirst(@TempDir Path tmp) throws Exception {
        try (CausalLm source = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            writeHfFolder(tmp, source, false);
        }
        ObjectNode json = (ObjectNode) JSON.readTree(tmp.resolve("config.json").toFile());
        json.putArray("eos_token_id").add(WORDS.padId()).add(WORDS.eosId());
        json.remove("bos_token_id");
        Files.writeString(tmp.resolve("config.json"), json.toPrettyString());
        try (HfFolder.Pretrained p = HfFolder.load(tmp, Device.cpu())) {
            assertEquals(WORDS.padId(), p.tokenizer().eosId());
            assertEquals(WORDS.padId(), p.tokenizer().bosId(), "bos defaults to eos");
        }
    }

    @Test
    void bfloat16IsTheNearestValueWithTiesToEven() {
        // 1 + 2^-8 lies halfway between bfloat16 1 (0x3f80) and 1 + 2^-7 (0x3f81): ties go to the even 0x3f80
        assertEquals((short) 0x3f80, Safetensors.bfloat16(Float.intBitsToFloat(0x3f808000)));
        // halfway between 0x3f81 and 0x3f82: to the even 0x3f82
        assertEquals((short) 0x3f82, Safetensors.bfloat16(Float.intBitsToFloat(0x3f818000)));
        // just above halfway rounds up, just below rounds down
        assertEquals((short) 0x3f81, Safetensors.bfloat16(Float.intBitsToFloat(0x3f808001)));
        assertEquals((short) 0x3f80, Safetensors.bfloat16(Float.intBitsToFloat(0x3f807fff)));
        assertEquals((short) 0xc000, Safetensors.bfloat16(-2f));
        // the largest float rounds to infinity, as torch's conversion does; NaN stays NaN
        assertEquals((short) 0x7f80, Safetensors.bfloat16(Float.MAX_VALUE));
        assertTrue(Float.isNaN(Float.intBitsToFloat(Safetensors.bfloat16(Float.NaN) << 16)));
    }
}
