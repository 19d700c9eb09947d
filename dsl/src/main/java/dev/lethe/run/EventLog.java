package dev.lethe.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunListener;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RunListener} that keeps the run's events as JSON lines ({@code events.jsonl}), one object per event
 * with an {@code event} field ({@code stage_started}, {@code progress}, {@code stage_finished}, and the
 * {@code run_finished} / {@code run_failed} lines the caller adds). Lines are appended to the file, never
 * rewritten, when a stage starts or ends, every {@value #FLUSH_EVERY} progress events and on {@link #flush()}:
 * what an earlier process wrote stays, and a process continuing a run adds after it. A line cut short (a process
 * killed mid-write, a full disk) is cut off before the next lines are appended. Non-finite numbers are written as
 * null. A training step's {@code progress} line also holds {@code grad_norm} and {@code grad_l1_norm}, the L2 and L1
 * norms of its gradient estimate, when the step materialised one: {@code Schedules.refinedFromRun} derives a
 * refined learning-rate schedule from them.
 */
public final class EventLog implements RunListener {
    static final int FLUSH_EVERY = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final StringBuilder pending = new StringBuilder();
    private int sinceFlush;

    /** A log appended to {@code file} (created when missing); nothing is written before the first flush. */
    public EventLog(Path file) {
        this.file = file;
    }

    /** The file written. */
    public Path file() {
        return file;
    }

    /**
     * The {@code event} field of the file's last complete line (written by this log or an earlier process), or
     * the empty string when there is none.
     */
    public String lastEvent() {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "";
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long end = completeLines(in);
            int length = (int) Math.min(end, 1 << 16);
            ByteBuffer tail = ByteBuffer.allocate(length);
            while (tail.hasRemaining() && in.read(tail, end - length + tail.position()) > 0) {
                // read on
            }
            String text = new String(tail.array(), StandardCharsets.UTF_8).stripTrailing();
            String last = text.substring(text.lastIndexOf('\n') + 1);
            return last.isEmpty() ? "" : JSON.readTree(last).path("event").asText();
        } catch (JsonProcessingException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the event log " + file, e);
        }
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
            if (Double.isFinite(p.gradientNorm())) {
                m.put("grad_norm", p.gradientNorm());
            }
            if (Double.isFinite(p.gradientL1Norm())) {
                m.put("grad_l1_norm", p.gradientL1Norm());
            }
        } else if (event instanceof RunEvent.StageFinished f) {
            m.put("event", "stage_finished");
            m.put("stage", f.stage());
            m.put("seconds", finite(f.seconds()));
            m.put("steps_done", f.stepsDone());
            m.put("stop_reason", f.stopReason());
            m.put("cached", f.cached());
        } else if (event instanceof RunEvent.SteeringFitted g) {
            m.put("event", "steering_fitted");
            m.put("stage", g.stage());
            m.put("layer", g.layer());
            m.put("clusters", g.clusters());
            m.put("silhouette", finite(g.silhouette()));
            m.put("entries", g.entries());
            m.put("bank_hash", g.bankHash());
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
            pending.append(JSON.writeValueAsString(fields)).append('\n');
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an event as JSON: " + fields, e);
        }
    }

    /**
     * Appends the events not yet written. When that fails (a full disk) they stay pending for the next flush.
     *
     * @throws IllegalArgumentException when the file is not an ordinary file (a FIFO or a device would block)
     */
    public void flush() {
        sinceFlush = 0;
        if (pending.isEmpty()) {
            return;
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(Printable.escape(file.toString()) + " is not an ordinary file (a link, "
                    + "FIFO, device or folder); the event log must be one");
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            out.truncate(completeLines(out));
            ByteBuffer bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
            long at = out.size();
            while (bytes.hasRemaining()) {
                at += out.write(bytes, at);
            }
            pending.setLength(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the event log " + file, e);
        }
    }

    /** The length of the file's complete lines: its size, or less when its last line has no end. */
    private static long completeLines(FileChannel in) throws IOException {
        long size = in.size();
        ByteBuffer one = ByteBuffer.allocate(1);
        for (long at = size - 1; at >= 0; at--) {
            one.clear();
            if (in.read(one, at) == 1 && one.get(0) == '\n') {
                return at + 1;
            }
        }
        return 0;
    }

    private static @Nullable Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }
}
