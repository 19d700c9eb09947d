package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An optimizer whose state is saved after some steps and restored into a fresh state continues exactly as
 * the uninterrupted one: what a checkpoint relies on.
 */
class StateRestoreTest {
    private static final Optimizer CHAIN = new Optimizer(new FirstOrder(), List.of(new TraceMomentum(0.9),
            new ScaleBySnr(3, 10), new ScaleByAdam(0.9, 0.999, 1e-8), new ScaleByLearningRate(Schedules.constant(0.05))));

    private static void steps(Quadratic q, Optimizer.State state, int from, int to) {
        for (int s = from; s < to; s++) {
            try (NDScope scope = new NDScope()) {
                CHAIN.step(q.oracle(), q.weights, state, s, 8, s);
            }
        }
    }

    @Test
    void aRestoredChainContinuesBitForBit() {
        float[] uninterrupted;
        try (Quadratic q = new Quadratic(true); Optimizer.State state = CHAIN.init(q.weights, q.manager)) {
            steps(q, state, 0, 8);
            uninterrupted = q.weights.get("w").toFloatArray();
        }
        try (Quadratic first = new Quadratic(true); Optimizer.State before = CHAIN.init(first.weights, first.manager);
                Quadratic second = new Quadratic(true); Optimizer.State after = CHAIN.init(second.weights, second.manager);
                NDManager saved = NDManager.newBaseManager()) {
            steps(first, before, 0, 4);
            Map<String, NDArray> copies = new LinkedHashMap<>();
            before.arrays().forEach((name, a) -> copies.put(name, a.duplicate().toDevice(saved.getDevice(), true)));
            // momentum, three SNR gradients, Adam's m and v, for both parameters
            assertEquals(2 * (1 + 3 + 2), copies.size(), copies.keySet().toString());
            assertTrue(copies.containsKey("0/w") && copies.containsKey("1/2.b") && copies.containsKey("2/v.w"),
                    copies.keySet().toString());
            Map<String, NDArray> weights = new LinkedHashMap<>();
            first.weights.forEach((name, a) -> weights.put(name, a.duplicate()));
            second.weights.assign(weights, "the first run");
            after.restore(copies);
            steps(second, after, 4, 8);
            assertArrayEquals(uninterrupted, second.weights.get("w").toFloatArray(), 0f);
        }
    }

    @Test
    void arraysThatDoNotFitAreRejectedByName() {
        try (Quadratic q = new Quadratic(true); Optimizer.State state = CHAIN.init(q.weights, q.manager)) {
            Map<String, NDArray> arrays = new LinkedHashMap<>(state.arrays());
            arrays.remove("2/m.b");
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> state.restore(arrays));
            assertTrue(missing.getMessage().contains("Adam's moments"), missing.getMessage());
            IllegalArgumentException stray = assertThrows(IllegalArgumentException.class,
                    () -> state.restore(Map.of("7/w", q.weights.get("w"))));
            assertTrue(stray.getMessage().contains("'7/w'"), stray.getMessage());
            Map<String, NDArray> misshapen = new LinkedHashMap<>(state.arrays());
            misshapen.put("0/w", q.manager.zeros(new ai.djl.ndarray.types.Shape(3)));
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> state.restore(misshapen));
            assertTrue(shape.getMessage().contains("'w'") && shape.getMessage().contains("(3)"), shape.getMessage());
        }
    }
}
