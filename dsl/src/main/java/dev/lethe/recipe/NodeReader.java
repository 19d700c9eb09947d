package dev.lethe.recipe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lethe.part.Node.ListNode;
import dev.lethe.part.Node.Location;
import dev.lethe.part.Node.MapNode;
import dev.lethe.part.Node.Scalar;
import dev.lethe.part.Node;
import dev.lethe.part.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses YAML or JSON (a document whose first non-blank character is <code>{</code>) into {@link Node}s with
 * their locations, through Jackson's streaming parsers. Syntax errors and duplicate keys become
 * {@link RecipeException}s naming the line.
 */
public final class NodeReader {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonFactory JSON = new JsonFactory();

    private final String file;
    private final List<Problem> problems = new ArrayList<>();

    private NodeReader(String file) {
        this.file = file;
    }

    /** The document in {@code text}; {@code file} names it in messages. */
    public static Node read(String text, String file) {
        return new NodeReader(file).document(text);
    }

    private Node document(String text) {
        boolean json = text.stripLeading().startsWith("{");
        try (JsonParser p = json ? JSON.createParser(text) : YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new RecipeException(List.of(new Problem(file, 1, 1, "", "the file is empty; a recipe is a "
                        + "mapping with at least name, model and data")));
            }
            Node root = value(p, "");
            if (p.nextToken() != null) {
                Location at = location(p.currentTokenLocation());
                problems.add(new Problem(file, at.line(), at.column(), "", "expected one document, found more"));
            }
            if (!problems.isEmpty()) {
                throw new RecipeException(problems);
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            Location at = l == null ? new Location(0, 0) : location(l);
            problems.add(new Problem(file, at.line(), at.column(), "", "not valid " + (json ? "JSON" : "YAML") + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse("syntax error")));
            throw new RecipeException(problems);
        } catch (IOException e) {
            throw new RecipeException(List.of(new Problem(file, 0, 0, "", "cannot read: " + e.getMessage())));
        } catch (RuntimeException e) {
            if (e instanceof RecipeException r) {
                throw r;
            }
            // SnakeYAML reports some malformed input (bad anchors, deep nesting) with its own unchecked exceptions
            problems.add(new Problem(file, 0, 0, "", "not valid YAML: " + e.getMessage()));
            throw new RecipeException(problems);
        }
    }

    private Node value(JsonParser p, String path) throws IOException {
        Location at = location(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Node> entries = new LinkedHashMap<>();
                Map<String, Location> keys = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Location keyAt = location(p.currentTokenLocation());
                    p.nextToken();
                    String child = path.isEmpty() ? key : path + "." + key;
                    Node v = value(p, child);
                    if (entries.containsKey(key)) {
                        problems.add(new Problem(file, keyAt.line(), keyAt.column(), child, "duplicate key '" + key
                                + "' (first at line " + keys.get(key).line() + ")"));
                    } else {
                        entries.put(key, v);
                        keys.put(key, keyAt);
                    }
                }
                return new MapNode(Collections.unmodifiableMap(entries), Collections.unmodifiableMap(keys), at);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(p, path + "[" + items.size() + "]"));
                }
                return new ListNode(List.copyOf(items), at);
            }
            case VALUE_STRING -> {
                return new Scalar(p.getText(), at);
            }
            case VALUE_NUMBER_INT -> {
                return new Scalar(p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue()
                        : (Object) p.getLongValue(), at);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new Scalar(p.getDoubleValue(), at);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Scalar(p.getBooleanValue(), at);
            }
            case VALUE_NULL -> {
                return new Scalar(null, at);
            }
            default -> {
                problems.add(new Problem(file, at.line(), at.column(), path, "unsupported YAML content (" + t + ")"));
                return new Scalar(null, at);
            }
        }
    }

    private static Location location(JsonLocation l) {
        return new Location(Math.max(0, l.getLineNr()), Math.max(0, l.getColumnNr()));
    }
}
