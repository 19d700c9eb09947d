package dev.lethe.model;

import java.util.Objects;

/**
 * One turn of a conversation as chat templates see it: {@code {"role": ..., "content": ...}}.
 *
 * @param role {@code system}, {@code user}, {@code assistant} (or another role the template knows)
 * @param content the turn's text
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /** A system turn. */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /** A user turn. */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /** An assistant turn. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
