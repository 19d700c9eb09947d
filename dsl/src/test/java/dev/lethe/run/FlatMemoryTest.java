package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A 2000-step NPO + retain loop (the runner's own step: {@link StepContext} and {@link Optimizer#step}) holds
 * flat memory: the number of live native arrays under the model's manager is the same after step 2000 as
 * after step 1, and resident memory outside the Java heap does not trend upwards. Prints the RSS figures.
 */
class FlatMemoryTest {

    @Test
    void twoThousandStepsHoldFlatMemory() {
        Dataset data = new FictitiousFacts(6, 0.2, 1, 2, 1, 1).load(1);
        Tokenizer tokenizer = data.fitTokenizer();
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 1, 32, 2, 32, 0f);
        Optimizer optimizer = Optimizers.adamW(1e-4);
        long[] nativeKb = new long[8];
        int[] liveArrays = new int[2];
        try (CausalLm model = CausalLm.initialize(config, 1, Device.cpu());
                CausalLm reference = model.frozenCopy();
                Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            Map<Split, BatchStream> streams = Map.of(Split.FORGET, stream(data.get(Split.FORGET), tokenizer),
                    Split.RETAIN, stream(data.get(Split.RETAIN), tokenizer));
            var objective = Objectives.npo().plus(Objectives.nll(Split.RETAIN));
            for (int s = 0; s < 2000; s++) {
                try (NDScope scope = new NDScope()) {
                    StepContext ctx = new StepContext(s, 2000, model, () -> reference, streams, tokenizer, objective);
                    assertTrue(optimizer.step(ctx, model.weights(), state, s, 2000, s).applied());
                }
                if (s == 0) {
                    liveArrays[0] = model.manager().getManagedArrays().size();
                }
                if ((s + 1) % 250 == 0) {
                    System.gc();
                    nativeKb[(s + 1) / 250 - 1] = residentKb() - Runtime.getRuntime().totalMemory() / 1024;
                }
            }
            liveArrays[1] = model.manager().getManagedArrays().size();
        }
        System.out.println("live arrays under the model's manager after step 1 and 2000: " + Arrays.toString(liveArrays)
                + "; resident memory outside the Java heap every 250 steps (KiB): " + Arrays.toString(nativeKb));
        assertEquals(liveArrays[0], liveArrays[1], "arrays leaked from the step scope");
        long firstHalf = Math.min(Math.min(nativeKb[0], nativeKb[1]), Math.min(nativeKb[2], nativeKb[3]));
        long secondHalf = Math.min(Math.min(nativeKb[4], nativeKb[5]), Math.min(nativeKb[6], nativeKb[7]));
        assertTrue(secondHalf - firstHalf < 32 * 1024,
                "resident memory trends upwards: " + Arrays.toString(nativeKb));
    }

    private static BatchStream stream(List<QaExample> examples, Tokenizer tokenizer) {
        List<Encoded> encoded = new ArrayList<>();
        examples.forEach(e -> encoded.add(Encoded.of(tokenizer, e.question(), e.answer())));
        return new BatchStream(encoded, 4, 3);
    }

    private static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
