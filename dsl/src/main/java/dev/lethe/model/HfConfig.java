package dev.lethe.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.io.ConfinedPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A Hugging Face {@code config.json}, read with errors that name the file and the field: every accessor
 * either returns a value of the type asked for or throws an {@link IllegalArgumentException} saying which
 * field of which file is missing or wrong and what is expected. {@link HfFamily} implementations read their
 * shapes through it.
 */
public final class HfConfig {
    /** The configuration file of a model folder. */
    public static final String FILE = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode json;

    private HfConfig(Path file, JsonNode json) {
        this.file = file;
        this.json = json;
    }

    /**
     * Reads {@code folder/config.json}.
     *
     * @throws IllegalArgumentException when the file is missing, not a regular file, or not a JSON object
     */
    public static HfConfig read(Path folder) {
        Path file = folder.resolve(FILE);
        String text;
        try {
            text = Files.readString(ConfinedPaths.regularFile(file, "model folder file"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return parse(file, text);
    }

    /**
     * Parses {@code text} as the contents of {@code file} (which names the file in errors).
     *
     * @throws IllegalArgumentException when the text is not a JSON object
     */
    public static HfConfig parse(Path file, String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (line " + e.getLocation().getLineNr()
                    + "): " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return new HfConfig(file, n);
    }

    /** The file this configuration was read from. */
    public Path file() {
        return file;
    }

    /** The whole JSON object, read-only by convention. */
    public JsonNode json() {
        return json;
    }

    /** Whether {@code field} is present and not {@code null}. */
    public boolean has(String field) {
        JsonNode n = json.get(field);
        return n != null && !n.isNull();
    }

    /** {@code model_type}, which selects the {@link HfFamily}. */
    public String modelType() {
        return string("model_type");
    }

    /** The string {@code field}; required. */
    public String string(String field) {
        JsonNode n = required(field);
        if (!n.isTextual()) {
            throw wrong(field, n, "a string");
        }
        return n.asText();
    }

    /** The string {@code field}, or {@code fallback} when absent or null. */
    public @Nullable String string(String field, @Nullable String fallback) {
        return has(field) ? string(field) : fallback;
    }

    /** The whole number {@code field}; required, and within {@code int}. */
    public int integer(String field) {
        JsonNode n = required(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw wrong(field, n, "a whole number");
        }
        return n.intValue();
    }

    /** The whole number {@code field}, or {@code fallback} when absent or null. */
    public int integer(String field, int fallback) {
        return has(field) ? integer(field) : fallback;
    }

    /** The number {@code field}; required. */
    public double real(String field) {
        JsonNode n = required(field);
        if (!n.isNumber()) {
            throw wrong(field, n, "a number");
        }
        return n.doubleValue();
    }

    /** The number {@code field}, or {@code fallback} when absent or null. */
    public double real(String field, double fallback) {
        return has(field) ? real(field) : fallback;
    }

    /** The boolean {@code field}, or {@code fallback} when absent or null. */
    public boolean bool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode n = json.get(field);
        if (!n.isBoolean()) {
            throw wrong(field, n, "true or false");
        }
        return n.booleanValue();
    }

    /**
     * An error for a field whose value this version of Lethe does not support, in the form
     * {@code <file>: field '<field>' is <value>; supported: <supported>}.
     */
    public IllegalArgumentException unsupported(String field, String supported) {
        JsonNode n = json.get(field);
        return new IllegalArgumentException(file + ": field '" + field + "' is " + (n == null ? "missing" : n)
                + "; supported: " + supported);
    }

    private JsonNode required(String field) {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is missing");
        }
        return n;
    }

    private IllegalArgumentException wrong(String field, JsonNode n, String expected) {
        return new IllegalArgumentException(file + ": field '" + field + "' is " + n + "; expected " + expected);
    }
}
