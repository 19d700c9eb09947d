package dev.lethe.run;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.io.AtomicFiles;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes what the PyTorch twin ({@code bench/python/twin.py check DIR}) needs to check Lethe's numerics: the
 * initial weights ({@code weights.safetensors}), one forget and one retain batch ({@code batch.json}: inputs,
 * targets and answer mask as {@link Batch} builds them), and the losses Lethe computed over a few AdamW steps
 * of NPO (β = 0.1) + retain NLL on those same batches ({@code expected.json}). The first loss checks the
 * forward pass, the later ones the gradients and AdamW's update.
 */
public final class TwinExport {
    private static final double BETA = 0.1;
    private static final double LR = 1e-3;

    private TwinExport() {}

    /**
     * Runs {@code steps} AdamW steps on a model of shape {@code config} and writes the three files into
     * {@code dir} (created if missing).
     *
     * @return the losses, one per step, each before its step's update
     */
    public static List<Double> export(Path dir, GptConfig config, int batch, int length, int steps) {
        Threads.apply();
        Tokenizer tokenizer = StepBenchmark.syntheticTokenizer(config.vocabSize());
        List<Double> losses = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        try (CausalLm model = CausalLm.initialize(config, 1, Device.cpu());
                CausalLm reference = model.frozenCopy()) {
            model.save(dir.resolve("weights.safetensors"));
            Map<Split, List<Encoded>> examples = new EnumMap<>(Split.class);
            examples.put(Split.FORGET, StepBenchmark.randomExamples(batch, length, tokenizer, 1));
            examples.put(Split.RETAIN, StepBenchmark.randomExamples(batch, length, tokenizer, 2));
            ObjectNode batches = json.createObjectNode();
            Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
            for (Map.Entry<Split, List<Encoded>> e : examples.entrySet()) {
                // one batch holding every example: each step sees the same rows (in a shuffled order)
                streams.put(e.getKey(), new BatchStream(e.getValue(), batch, 7));
                try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
                    Batch b = Batch.of(e.getValue(), tokenizer, m);
                    ObjectNode node = batches.putObject(e.getKey().id());
                    node.set("inputs", rows(json, b.inputs()));
                    node.set("targets", rows(json, b.targets()));
                    node.set("mask", rows(json, b.mask()));
                }
            }
            Objective objective = Objectives.npo(BETA).plus(Objectives.nll(Split.RETAIN));
            Optimizer optimizer = Optimizers.adamW(LR);
            try (Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
                for (int s = 0; s < steps; s++) {
                    try (NDScope scope = new NDScope()) {
                        StepContext ctx = new StepContext(s, steps, model, () -> reference, streams, tokenizer,
                                objective);
                        Optimizer.Outcome outcome = optimizer.step(ctx, model.weights(), state, s, steps, s);
                        losses.add(outcome.loss());
                    }
                }
            }
            ObjectNode expected = json.createObjectNode();
            ObjectNode c = expected.putObject("config");
            c.put("vocab", config.vocabSize()).put("layers", config.layers()).put("width", config.width())
                    .put("heads", config.heads()).put("context", config.contextLength());
            expected.put("beta", BETA).put("lr", LR).put("weight_decay", 0.01);
            ArrayNode l = expected.putArray("losses");
            losses.forEach(l::add);
            AtomicFiles.writeString(dir.resolve("batch.json"), json.writeValueAsString(batches));
            AtomicFiles.writeString(dir.resolve("expected.json"), json.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(expected));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the twin's JSON", e);
        }
        return losses;
    }

    private static ArrayNode rows(ObjectMapper json, NDArray a) {
        long[] shape = a.getShape().getShape();
        double[] values = a.toType(DataType.FLOAT64, false).toDoubleArray();
        boolean integral = a.getDataType().isInteger();
        ArrayNode out = json.createArrayNode();
        for (int r = 0; r < shape[0]; r++) {
            ArrayNode row = out.addArray();
            for (int t = 0; t < shape[1]; t++) {
                double v = values[(int) (r * shape[1] + t)];
                if (integral) {
                    row.add((long) v);
                } else {
                    row.add(v);
                }
            }
        }
        return out;
    }
}
