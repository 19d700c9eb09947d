package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Initialised weights live in libtorch's memory, not in the JVM's direct buffers: a 1B-parameter model's
 * initialisation stopped at the direct-memory cap (the heap's size) when each weight kept the buffer it was made in.
 */
class NativeCopyTest {
    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    /** The JVM's direct memory in use once the garbage collector has let go of unreachable buffers. */
    private static long settledDirectBytes() throws InterruptedException {
        long bytes = directBytes();
        for (int i = 0; i < 50; i++) {
            System.gc();
            Thread.sleep(20);
            long now = directBytes();
            if (now == bytes && i > 3) {
                break;
            }
            bytes = now;
        }
        return bytes;
    }

    @Test
    void anInitialisedParameterHoldsNoDirectBufferOfTheJvm() throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager()) {
            long before = settledDirectBytes();
            ParameterSpec spec = ParameterSpec.normal("w", 0.02, 2048, 4096);   // 32 MiB of float32
            NDArray w = spec.create(m, new SplittableRandom(1));
            long held = settledDirectBytes() - before;
            assertTrue(held < 4L << 20, "direct memory held while the parameter lives: " + held + " bytes");
            assertEquals(2048L * 4096, w.size());
            assertEquals(0.02, w.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).pow(2).mean().sqrt()
                    .getDouble(), 0.001);
        }
    }
}
