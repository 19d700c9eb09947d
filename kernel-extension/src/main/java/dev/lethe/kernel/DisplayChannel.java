package dev.lethe.kernel;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import kotlinx.serialization.json.JsonElement;
import kotlinx.serialization.json.JsonElementKt;
import kotlinx.serialization.json.JsonObject;
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterConnection;
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterSocketType;
import org.jetbrains.kotlinx.jupyter.api.libraries.RawMessage;
import org.jspecify.annotations.Nullable;

/**
 * Sends {@code display_data} and {@code update_display_data} messages for the cell that is running, with that
 * cell's {@code execute_request} as the parent. The kernel's own {@code updateDisplay} (0.11) sends updates
 * without a parent header, which nbclient/nbconvert drop and which therefore never reach a saved notebook. The
 * running cell's request is the kernel connection's {@code getContextMessage()} (kernel-internal in 0.11, read
 * reflectively — the same message the kernel's own display handler replies to).
 */
final class DisplayChannel {
    private static volatile @Nullable DisplayChannel current;

    private final JupyterConnection connection;

    private DisplayChannel(JupyterConnection connection) {
        this.connection = connection;
    }

    /** Makes {@code connection} the channel that later {@link #current()} calls return. */
    static void install(JupyterConnection connection) {
        current = new DisplayChannel(connection);
    }

    /** The channel of this kernel session, or null before {@code %use lethe}. */
    static @Nullable DisplayChannel current() {
        return current;
    }

    /** The request of the running cell, or null where this kernel does not expose it. */
    @Nullable RawMessage request() {
        try {
            Object m = connection.getClass().getMethod("getContextMessage").invoke(connection);
            return m instanceof RawMessage r ? r : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Shows ({@code update} false) or replaces ({@code update} true) the output {@code displayId} of the running
     * cell with {@code data} (MIME type to content).
     */
    void send(String displayId, Map<String, String> data, boolean update) {
        RawMessage parent = request();
        if (parent == null) {
            throw new IllegalStateException("this kernel does not expose the running cell's request");
        }
        Map<String, JsonElement> mime = new LinkedHashMap<>();
        data.forEach((k, v) -> mime.put(k, JsonElementKt.JsonPrimitive(v)));
        Map<String, JsonElement> content = new LinkedHashMap<>();
        content.put("data", new JsonObject(mime));
        content.put("metadata", new JsonObject(Map.of()));
        content.put("transient", new JsonObject(Map.of("display_id", JsonElementKt.JsonPrimitive(displayId))));
        String type = update ? "update_display_data" : "display_data";
        Map<String, JsonElement> header = new LinkedHashMap<>();
        header.put("msg_id", JsonElementKt.JsonPrimitive(UUID.randomUUID().toString()));
        header.put("msg_type", JsonElementKt.JsonPrimitive(type));
        header.put("session", parent.getHeader().getOrDefault("session", JsonElementKt.JsonPrimitive("")));
        header.put("username", parent.getHeader().getOrDefault("username", JsonElementKt.JsonPrimitive("lethe")));
        header.put("version", JsonElementKt.JsonPrimitive("5.3"));
        header.put("date", JsonElementKt.JsonPrimitive(Instant.now().toString()));
        connection.send(JupyterSocketType.IOPUB, new Message(List.of(type.getBytes(StandardCharsets.UTF_8)),
                new JsonObject(header), parent.getHeader(), new JsonObject(Map.of()), new JsonObject(content)));
    }

    private record Message(List<byte[]> id, JsonObject header, JsonObject parentHeader, JsonObject metadata,
            JsonElement content) implements RawMessage {
        @Override
        public List<byte[]> getId() {
            return id;
        }

        @Override
        public JsonObject getHeader() {
            return header;
        }

        @Override
        public JsonObject getParentHeader() {
            return parentHeader;
        }

        @Override
        public JsonObject getMetadata() {
            return metadata;
        }

        @Override
        public JsonElement getContent() {
            return content;
        }
    }
}
