package dev.lethe.io.parquet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A file's schema ({@code SchemaElement}s, depth first) as the top-level columns this reader assembles: a primitive
 * (required or optional), or a list of primitives: the 3-level LIST ({@code <list> (LIST) { repeated group list {
 * <element>; } }}, what pyarrow, DuckDB and parquet-java write), the legacy 2-level one ({@code <list> (LIST) {
 * repeated <element>; }}) and a bare {@code repeated} primitive (the backward-compatibility rules of {@code
 * LogicalTypes.md}). Other shapes (structs, maps, nested lists, lists of structs) are read only when asked for, and
 * then refused.
 */
final class Schema {
    /** Physical types by their number in {@code parquet.thrift}. */
    static final List<String> TYPES = List.of("BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
            "FIXED_LEN_BYTE_ARRAY");

    private static final int MAX_DEPTH = 16;
    private static final int REQUIRED = 0;
    private static final int OPTIONAL = 1;
    private static final int REPEATED = 2;
    private static final int UTF8 = 0;
    private static final int ENUM = 4;
    private static final int JSON = 19;
    private static final int LIST = 3;

    /** One schema element and its children. */
    private record Node(String name, int repetition, int type, int typeLength, boolean string, boolean list,
            @Nullable String unsupported, List<Node> children) {}

    /**
     * A top-level column as read: its leaf's index among the leaves (the order of column chunks in a row group), its
     * path, physical type, the definition and repetition levels of its shape, and why it cannot be read (null when it
     * can).
     *
     * @param leaf the index of its (first) leaf column
     * @param path the leaf's path, joined with dots
     * @param type the leaf's physical type (index of {@link #TYPES})
     * @param typeLength bytes of a FIXED_LEN_BYTE_ARRAY value
     * @param string whether byte arrays are UTF-8 text (STRING, UTF8, ENUM or JSON annotations)
     * @param maxDef the leaf's maximum definition level
     * @param maxRep the leaf's maximum repetition level (0 for a primitive, 1 for a list)
     * @param listDef for a list, the definition level at which the list itself is present (empty or not)
     * @param unsupported why the column cannot be read, or null
     */
    record Column(int leaf, String path, int type, int typeLength, boolean string, int maxDef, int maxRep,
            int listDef, @Nullable String unsupported) {}

    private final Map<String, Column> columns = new LinkedHashMap<>();
    private int leaves;

    /**
     * Reads the schema elements of a footer.
     *
     * @throws Corrupt when the elements do not form a tree
     */
    Schema(List<Thrift.Struct> elements) {
        if (elements.isEmpty()) {
            throw new Corrupt("the schema is empty");
        }
        int[] next = {0};
        Node root = node(elements, next, 0);
        if (next[0] != elements.size()) {
            throw new Corrupt("the schema has " + (elements.size() - next[0]) + " elements outside its tree");
        }
        for (Node top : root.children()) {
            columns.put(top.name(), column(top));
        }
    }

    /** The top-level columns by name, in the file's order. */
    Map<String, Column> columns() {
        return columns;
    }

    /** The number of leaf columns (column chunks per row group). */
    int leaves() {
        return leaves;
    }

    private static Node node(List<Thrift.Struct> elements, int[] next, int depth) {
        if (depth > MAX_DEPTH) {
            throw new Corrupt("the schema nests deeper than " + MAX_DEPTH);
        }
        if (next[0] >= elements.size()) {
            throw new Corrupt("the schema declares more children than it has elements");
        }
        Thrift.Struct e = elements.get(next[0]++);
        String name = e.string(4, "a schema element's name");
        int children = e.has(5) ? e.count(5, "schema element '" + name + "'s child count", elements.size()) : 0;
        int converted = (int) e.i64(6, -1);
        Thrift.Struct logical = e.optionalStruct(10);
        boolean string = converted == UTF8 || converted == ENUM || converted == JSON
                || logical != null && (logical.has(1) || logical.has(4) || logical.has(12));
        boolean list = converted == LIST || logical != null && logical.has(3);
        String unsupported = null;
        if (converted == 5 || logical != null && logical.has(5)) {
            unsupported = "DECIMAL values are not read";
        }
        List<Node> kids = new ArrayList<>();
        for (int i = 0; i < children; i++) {
            kids.add(node(elements, next, depth + 1));
        }
        int type = e.has(1) ? (int) e.i64(1, "type") : -1;
        if (children == 0 && (type < 0 || type >= TYPES.size())) {
            throw new Corrupt("schema element '" + name + "' has no children and no physical type (" + type + ")");
        }
        return new Node(name, (int) e.i64(3, REQUIRED), type, (int) e.i64(2, 0), string, list, unsupported, kids);
    }

    /** The column read from top-level node {@code top}; counts the leaves under it. */
    private Column column(Node top) {
        int first = leaves;
        leaves += leafCount(top);
        if (top.children().isEmpty()) {
            if (top.repetition() == REPEATED) {
                return leafColumn(first, top.name(), top, 1, 1, 0);
            }
            return leafColumn(first, top.name(), top, top.repetition() == OPTIONAL ? 1 : 0, 0, 0);
        }
        String shape = "a struct or map";
        if (top.list() && top.children().size() == 1 && top.children().get(0).repetition() == REPEATED) {
            Node repeated = top.children().get(0);
            int listDef = top.repetition() == OPTIONAL ? 1 : 0;
            if (repeated.children().isEmpty()) {
                return leafColumn(first, top.name() + "." + repeated.name(), repeated, listDef + 1, 1, listDef);
            }
            boolean structElement = repeated.children().size() != 1 || repeated.name().equals("array")
                    || repeated.name().equals(top.name() + "_tuple");
            Node element = repeated.children().get(0);
            if (!structElement && element.children().isEmpty() && element.repetition() != REPEATED) {
                int maxDef = listDef + 1 + (element.repetition() == OPTIONAL ? 1 : 0);
                return leafColumn(first, top.name() + "." + repeated.name() + "." + element.name(), element, maxDef, 1,
                        listDef);
            }
            shape = "a list of structs or of lists";
        }
        return new Column(first, top.name(), -1, 0, false, 0, 0, 0, "column '" + top.name() + "' is " + shape
                + "; Lethe reads columns of strings, numbers and booleans, and lists of them");
    }

    private static Column leafColumn(int leaf, String path, Node n, int maxDef, int maxRep, int listDef) {
        String unsupported = n.unsupported();
        if (unsupported == null && n.type() == 3) {
            unsupported = "INT96 values are not read";
        }
        return new Column(leaf, path, n.type(), n.typeLength(), n.string(), maxDef, maxRep, listDef,
                unsupported == null ? null : "column '" + path + "': " + unsupported + "; Lethe reads BOOLEAN, INT32, "
                        + "INT64, FLOAT, DOUBLE, BYTE_ARRAY (strings) and FIXED_LEN_BYTE_ARRAY");
    }

    private static int leafCount(Node n) {
        if (n.children().isEmpty()) {
            return 1;
        }
        int sum = 0;
        for (Node c : n.children()) {
            sum += leafCount(c);
        }
        return sum;
    }
}
