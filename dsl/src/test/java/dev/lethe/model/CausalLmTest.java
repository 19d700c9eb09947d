package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalLmTest {
    private static final GptConfig CONFIG = new GptConfig(17, 2, 16, 2, 8, 0f);

    @Test
    void changingALaterTokenNeverChangesEarlierLogits() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 7, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            long[] a = {2, 5, 9, 4, 11, 3, 8, 1};
            for (int changed = 1; changed < a.length; changed++) {
                long[] b = a.clone();
                b[changed] = (b[changed] + 7) % CONFIG.vocabSize();
                NDArray la = model.forward(m.create(a, new Shape(1, 8))).logits();
                NDArray lb = model.forward(m.create(b, new Shape(1, 8))).logits();
                NDIndex before = new NDIndex(":, 0:{}, :", changed);
                assertArrayEquals(la.get(before).toFloatArray(), lb.get(before).toFloatArray(), 0f,
                        "changing token " + changed + " moved an earlier position");
                assertFalse(la.get(new NDIndex(":, {}, :", changed)).contentEquals(lb.get(new NDIndex(":, {}, :", changed))),
                        "the changed position itself must see its token");
            }
        }
    }

    @Test
    void forwardReturnsLogitsAndEveryLayersHiddenState() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 1, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            ModelOutput out = model.forward(m.create(new long[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)), false, true);
            assertEquals(new Shape(2, 3, 17), out.logits().getShape());
            assertEquals(CONFIG.layers() + 1, out.hiddenStates().size());
            assertEquals(new Shape(2, 3, 16), out.hidden(2).getShape());
        }
    }

    @Test
    void sameSeedGivesSameWeightsAndOtherSeedsDiffer() {
        try (CausalLm a = CausalLm.initialize(CONFIG, 3, Device.cpu());
                CausalLm b = CausalLm.initialize(CONFIG, 3, Device.cpu());
                CausalLm c = CausalLm.initialize(CONFIG, 4, Device.cpu())) {
            for (String name : a.weights().names()) {
                assertTrue(a.weights().get(name).contentEquals(b.weights().get(name)), name);
            }
            assertFalse(a.weights().get("wte.weight").contentEquals(c.weights().get("wte.weight")));
        }
    }

    @Test
    void savedWeightsLoadBackToIdenticalLogits(@TempDir Path dir) {
        Path file = dir.resolve("model.safetensors");
        try (CausalLm model = CausalLm.initialize(CONFIG, 11, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            model.save(file);
            try (CausalLm loaded = CausalLm.load(file, CONFIG, Device.cpu())) {
                NDArray tokens = m.create(new long[] {3, 1, 4, 1, 5}, new Shape(1, 5));
                assertArrayEquals(model.forward(tokens).logits().toFloatArray(),
                        loaded.forward(tokens).logits().toFloatArray(), 0f);
                assertEquals(model.weights().names(), loaded.weights().names());
            }
        }
        assertTrue(Files.exists(file));
        try (var files = java.util.stream.Stream.of(dir.toFile().list())) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void loadingAFileOfAnotherShapeNamesTheTensor(@TempDir Path dir) {
        Path file = dir.resolve("model.safetensors");
        try (CausalLm model = CausalLm.initialize(CONFIG, 11, Device.cpu())) {
            model.save(file);
        }
        GptConfig wider = new GptConfig(17, 2, 32, 2, 8, 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CausalLm.load(file, wider, Device.cpu()));
        assertTrue(e.getMessage().contains("wte.weight") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void copiesAreIndependentAndFrozenCopiesHaveNoGradients() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu());
                CausalLm copy = model.copy();
                CausalLm frozen = model.frozenCopy()) {
            NDArray original = model.weights().get("ln_f.bias").duplicate();
            copy.weights().get("ln_f.bias").addi(1f);
            assertTrue(model.weights().get("ln_f.bias").contentEquals(original));
            assertNotEquals(original.getFloat(0), copy.weights().get("ln_f.bias").getFloat(0));
            assertTrue(copy.isTrainable() && copy.weights().get("wte.weight").hasGradient());
            assertFalse(frozen.isTrainable() || frozen.weights().get("wte.weight").hasGradient());
            original.close();
        }
    }

    @Test
    void rejectsSequencesLongerThanTheContext() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> model.forward(m.zeros(new Shape(1, 9),
                    ai.djl.ndarray.types.DataType.INT64)));
        }
    }
}
