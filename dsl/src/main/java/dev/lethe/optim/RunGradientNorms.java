package dev.lethe.optim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The per-step gradient norms a Lethe run logged for one training stage: the {@code grad_norm} (L2) or
 * {@code grad_l1_norm} (L1) fields of its {@code progress} lines in {@code events.jsonl} (written by
 * {@code dev.lethe.run.EventLog}), in step order. A run continued after a stop appends the steps it redid; the
 * last line of a step wins, as those are the steps of the model the run ended with.
 */
final class RunGradientNorms {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The event log's name in a run directory. */
    static final String EVENTS = "events.jsonl";

    private RunGradientNorms() {}

    /**
     * The norms of {@code stage}'s steps 1..n in {@code events} (the file, or a run directory holding
     * {@value #EVENTS}).
     *
     * @throws IllegalArgumentException naming the file (and line) when it cannot be read, a line is not JSON, a
     *     step of the stage has no such norm, steps are missing, or the stage has no steps in it
     */
    static double[] read(Path events, String stage, Schedules.Norm norm) {
        Path file = Files.isDirectory(events) ? events.resolve(EVENTS) : events;
        String field = field(norm);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read the event log " + file + " for a refined schedule: " + e, e);
        }
        Map<Long, Double> byStep = new TreeMap<>();
        Set<String> stages = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ", line " + (i + 1) + ": not a JSON event (" + e.getOriginalMessage()
                        + ")");
            }
            if (!"progress".equals(event.path("event").asText())) {
                continue;
            }
            String of = event.path("stage").asText();
            stages.add(of);
            if (!of.equals(stage)) {
                continue;
            }
            JsonNode value = event.path(field);
            if (!value.isNumber()) {
                throw new IllegalArgumentException(file + ", line " + (i + 1) + ": the progress of stage '" + stage
                        + "' at step " + event.path("step").asText() + " has no " + field + " (a fused zeroth-order "
                        + "step materialises no gradient, and logs before issue 16 have none)");
            }
            byStep.put(event.path("step").asLong(), value.asDouble());
        }
        if (byStep.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no progress of the stage '" + stage + "'; its progress "
                    + "lines are of " + stages);
        }
        double[] out = new double[byStep.size()];
        long expected = 1;
        for (Map.Entry<Long, Double> e : byStep.entrySet()) {
            if (e.getKey() != expected) {
                throw new IllegalArgumentException(file + ": the stage '" + stage + "' has no progress line of step "
                        + expected + " (its steps must run 1.." + byStep.size() + ")");
            }
            out[(int) (expected - 1)] = e.getValue();
            expected++;
        }
        return out;
    }

    /** The event log's field for {@code norm}. */
    static String field(Schedules.Norm norm) {
        return norm == Schedules.Norm.L2 ? "grad_norm" : "grad_l1_norm";
    }
}
