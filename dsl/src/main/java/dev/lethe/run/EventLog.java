package dev.lethe.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.io.AtomicFiles;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RunListener} that keeps the run's events as JSON lines ({@code events.jsonl}), one object per event
 * with an {@code event} field ({@code stage_started}, {@code progress}, {@code stage_finished}, and the
 * {@code run_finished} / {@code run_failed} lines the caller adds). The file is rewritten atomically
 * ({@link AtomicFiles}) when a stage starts or ends, every {@value #FLUSH_EVERY} progress events and on
 * {@link #flush()}, so a reader (or a crash) sees a complete prefix of the log, never a torn line. Non-finite
 * numbers are written as null.
 */
public final class EventLog implements RunListener {
    static final int FLUSH_EVERY = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final StringBuilder lines = new StringBuilder();
    private int sinceFlush;

    /** A log written to {@code file}. */
    public EventLog(Path file) {
        this.file = file;
    }

    /**
     * A log that continues {@code file}: its lines are kept (a crash leaves a complete prefix) and new events
     * are appended after them.
     */
    public static EventLog continuing(Path file) {
        EventLog log = new EventLog(file);
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    log.lines.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the event log " + file, e);
        }
        return log;
    }

    /** The file written. */
    public Path file() {
        return file;
    }

    @Override
    public void onEvent(RunEvent event) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        if (event instanceof RunEvent.StageStarted s) {
            m.put("event", "stage_started");
            m.put("stage", s.stage());
            m.put("total_steps", s.totalSteps());
        } else if (event instanceof RunEvent.Progress p) {
            m.put("event", "progress");
            m.put("stage", p.stage());
            m.put("step", p.step());
            m.put("total_steps", p.totalSteps());
            m.put("loss", finite(p.loss()));
            m.put("steps_per_second", finite(p.stepsPerSecond()));
        } else if (event instanceof RunEvent.StageFinished f) {
            m.put("event", "stage_finished");
            m.put("stage", f.stage());
            m.put("seconds", finite(f.seconds()));
            m.put("steps_done", f.stepsDone());
            m.put("stop_reason", f.stopReason());
            m.put("cached", f.cached());
        } else if (event instanceof RunEvent.CheckpointWritten c) {
            m.put("event", "checkpoint_written");
            m.put("stage", c.stage());
            m.put("step", c.step());
            m.put("bytes", c.bytes());
            m.put("seconds", finite(c.seconds()));
        }
        add(m);
        if (!(event instanceof RunEvent.Progress) || ++sinceFlush >= FLUSH_EVERY) {
            flush();
        }
    }

    /** Appends a line of {@code fields} (e.g. the run's outcome) and writes the file. */
    public void append(Map<String, ?> fields) {
        add(fields);
        flush();
    }

    private void add(Map<String, ?> fields) {
        try {
            lines.append(JSON.writeValueAsString(fields)).append('\n');
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an event as JSON: " + fields, e);
        }
    }

    /** Writes every event so far (atomically replacing the file). */
    public void flush() {
        AtomicFiles.writeString(file, lines.toString());
        sinceFlush = 0;
    }

    /** The events so far, one JSON object per line. */
    public List<String> lines() {
        return new ArrayList<>(lines.toString().lines().toList());
    }

    private static @Nullable Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }
}
