package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lethe.result.RunEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code events.jsonl} is appended to, never rewritten (issue 13, item 6). */
class EventLogTest {
    @Test
    void eventsAreAppendedAfterWhatTheFileAlreadyHolds(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "{\"event\":\"earlier\"}\n");
        EventLog log = new EventLog(file);
        log.onEvent(new RunEvent.StageStarted("learn", 3));
        // another writer's line between two flushes (a second process, before the lock) is not lost
        Files.writeString(file, "{\"event\":\"between\"}\n", StandardOpenOption.APPEND);
        log.append(Map.of("event", "run_finished"));
        assertEquals(List.of("{\"event\":\"earlier\"}", "{\"event\":\"stage_started\",\"stage\":\"learn\",\"total_steps\":3}",
                "{\"event\":\"between\"}", "{\"event\":\"run_finished\"}"), Files.readAllLines(file));
    }

    @Test
    void aLineCutShortByAKilledWriteIsCutOffBeforeNewLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "{\"event\":\"stage_started\"}\n{\"event\":\"prog");
        new EventLog(file).append(Map.of("event", "run_resumed"));
        assertEquals(List.of("{\"event\":\"stage_started\"}", "{\"event\":\"run_resumed\"}"), Files.readAllLines(file));
    }
}
