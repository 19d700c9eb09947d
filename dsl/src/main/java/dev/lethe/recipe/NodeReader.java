package dev.lethe.recipe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.lethe.part.Node.ListNode;
import dev.lethe.part.Node.Location;
import dev.lethe.part.Node.MapNode;
import dev.lethe.part.Node.Scalar;
import dev.lethe.part.Node;
import dev.lethe.part.Problem;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;

/**
 * Parses YAML or JSON (a document whose first non-blank character is <code>{</code>) into {@link Node}s with
 * their locations, through Jackson's streaming parsers. Syntax errors, tab indentation and duplicate keys
 * become {@link RecipeException}s naming the line.
 *
 * <p>A YAML alias ({@code *name}) reads as the value its anchor ({@code &name}) marked earlier in the file (the
 * streaming parser alone would give the anchor's name as a string); an alias of no earlier anchor is a problem,
 * and so are aliases that expand the document beyond {@value #MAX_VALUES} values (a "billion laughs" file).
 */
public final class NodeReader {
    /** The most values (scalars, mappings, lists) a document may hold once its aliases are expanded. */
    static final int MAX_VALUES = 100_000;

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonFactory JSON = new JsonFactory();

    private final String file;
    private final List<Problem> problems = new ArrayList<>();
    /** The anchors of the document by the location of the value they mark (Jackson does not give scalars'). */
    private final Map<Location, String> anchorsAt = new HashMap<>();
    /** The node each anchor marks, by anchor name. */
    private final Map<String, Node> anchors = new HashMap<>();
    /** How many values each anchored node holds, counting its own aliases expanded. */
    private final Map<Node, Integer> sizes = new IdentityHashMap<>();
    /** The values read so far, aliases expanded. */
    private int values;

    private NodeReader(String file) {
        this.file = file;
    }

    /** The document in {@code text}; {@code file} names it in messages. */
    public static Node read(String text, String file) {
        return new NodeReader(file).document(text);
    }

    private Node document(String text) {
        boolean json = text.stripLeading().startsWith("{");
        if (!json) {
            findAnchors(text);
        }
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
            int tabbed = json ? 0 : firstTabIndentedLine(text);
            if (tabbed > 0) {
                problems.add(new Problem(file, tabbed, 1, "", "tabs are not allowed in YAML indentation, line "
                        + tabbed + "; indent with spaces"));
                throw new RecipeException(problems);
            }
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

    /** Notes where each anchor ({@code &name}) of the YAML {@code text} is; syntax errors are left to Jackson. */
    private void findAnchors(String text) {
        try {
            for (Event e : new Yaml().parse(new StringReader(text))) {
                if (e instanceof NodeEvent n && !(e instanceof AliasEvent) && n.getAnchor() != null) {
                    anchorsAt.put(new Location(e.getStartMark().getLine() + 1, e.getStartMark().getColumn() + 1),
                            n.getAnchor());
                }
            }
        } catch (YAMLException e) {
            // the same text fails again in Jackson's parser, which names the line
        }
    }

    /** The 1-based number of the first line whose indentation holds a tab, or 0 when none does. */
    private static int firstTabIndentedLine(String text) {
        int line = 1;
        boolean indent = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                indent = true;
            } else if (c == '\t' && indent) {
                return line;
            } else if (c != ' ') {
                indent = false;
            }
        }
        return 0;
    }

    private Node value(JsonParser p, String path) throws IOException {
        Location at = location(p.currentTokenLocation());
        if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            return alias(p.getText(), at, path);
        }
        @Nullable String anchor = anchorsAt.get(at);
        int before = values;
        Node node = plain(p, path, at);
        if (anchor != null) {
            anchors.put(anchor, node);
            sizes.put(node, values - before);
        }
        return node;
    }

    /** The node anchor {@code name} marked, counted again as if written out. */
    private Node alias(String name, Location at, String path) {
        Node target = anchors.get(name);
        if (target == null) {
            problems.add(new Problem(file, at.line(), at.column(), path, "alias '*" + name + "' refers to no anchor "
                    + "'&" + name + "' earlier in the file; mark the value with &" + name + " before using it"));
            return new Scalar(null, at);
        }
        values += sizes.get(target);
        if (values > MAX_VALUES) {
            problems.add(new Problem(file, at.line(), at.column(), path, "aliases expand the file to more than "
                    + MAX_VALUES + " values; write the values out instead of nesting aliases"));
            throw new RecipeException(problems);
        }
        return target;
    }

    private Node plain(JsonParser p, String path, Location at) throws IOException {
        values++;
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
