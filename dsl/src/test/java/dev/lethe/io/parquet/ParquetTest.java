package dev.lethe.io.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The reader on files written by independent writers (DuckDB and parquetjs; how, and the values written:
 * {@code src/test/resources/parquet/README.md}): every value read equals the value the writer was given.
 */
class ParquetTest {
    static final List<String> TYPES_COLUMNS = List.of("s", "i", "l", "b", "d", "f", "opt", "list");

    static Path fixture(String name) {
        try {
            return Path.of(ParquetTest.class.getResource("/parquet/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A row of the given columns and values (nulls allowed). */
    static Map<String, Object> row(List<String> columns, Object... values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(columns.get(i), values[i]);
        }
        return out;
    }

    /** The rows of the types fixtures, as the generator wrote them. */
    static List<Map<String, Object>> typesRows() {
        return List.of(
                row(TYPES_COLUMNS, "alpha", 1, 10000000000L, true, 1.5, 0.25f, "x", List.of("a", "b")),
                row(TYPES_COLUMNS, "bêta 中文 🙂", -2, -3L, false, -2.25, -8.5f, null, null),
                row(TYPES_COLUMNS, "alpha", Integer.MAX_VALUE, Long.MAX_VALUE, null, null, null, "y", List.of()),
                row(TYPES_COLUMNS, "gamma", Integer.MIN_VALUE, Long.MIN_VALUE, true, 1e300, 3.0f, "x",
                        Arrays.asList("c", null, "a")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"types-v1-uncompressed", "types-v1-snappy", "types-v1-gzip", "types-v1-zstd",
        "types-v2-snappy", "pyarrow-default", "pyarrow-v2-zstd", "pyarrow-plain-gzip", "pyarrow-delta-uncompressed"})
    void everyTypeNullAndListShapeReadsAsWrittenUnderEachCodecAndPageVersion(String name) {
        Parquet.Table t = Parquet.read(fixture("reader/" + name + ".parquet"), TYPES_COLUMNS);
        assertEquals(TYPES_COLUMNS, t.columns());
        assertEquals(typesRows(), t.rows());
    }

    @Test
    void onlyTheColumnsAskedForAreReadInTheFilesOrder() {
        Parquet.Table t = Parquet.read(fixture("reader/types-v1-snappy.parquet"), List.of("list", "s", "absent"));
        assertEquals(TYPES_COLUMNS, t.columns());
        assertEquals(List.of("s", "list"), new ArrayList<>(t.rows().get(0).keySet()));
        assertEquals(Arrays.asList("c", null, "a"), t.rows().get(3).get("list"));
    }

    @Test
    void dictionaryPagesWithNullsAndListsReadAsWritten() {
        Parquet.Table t = Parquet.read(fixture("reader/dictionary.parquet"), List.of("s", "n", "l"));
        assertEquals(20, t.rows().size());
        for (int i = 0; i < 20; i++) {
            Map<String, Object> expected = row(List.of("s", "n", "l"), "v" + (i % 3), i % 5 == 4 ? null : (long) (i % 2),
                    i % 4 == 3 ? List.of("c0", "c1") : List.of("c" + (i % 2)));
            assertEquals(expected, t.rows().get(i), "row " + i);
        }
    }

    @Test
    void rowGroupsFollowOneAnother() {
        Parquet.Table t = Parquet.read(fixture("reader/row-groups.parquet"), List.of("n", "opt"));
        assertEquals(4100, t.rows().size());
        for (int i = 0; i < 4100; i++) {
            assertEquals(row(List.of("n", "opt"), i % 100, i % 3 == 0 ? null : "v" + (i % 7)), t.rows().get(i),
                    "row " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"parquetjs-v2-uncompressed", "parquetjs-v2-gzip", "parquetjs-v2-snappy",
        "parquetjs-v1-snappy"})
    void parquetjsFilesWithBareRepeatedFieldsAndRowGroupsOfTwoReadAsWritten(String name) {
        List<String> columns = List.of("name", "count", "score", "tags");
        Parquet.Table t = Parquet.read(fixture("reader/" + name + ".parquet"), columns);
        assertEquals(List.of(
                row(columns, "one", 1L, 0.5, List.of("x", "y")),
                row(columns, "two ✓", -7L, null, List.of()),
                row(columns, "three", 12345678901L, -1.25, List.of("z"))), t.rows());
    }

    @Test
    void theLegacyTwoLevelListOfParquetJavaReadsAsWritten() {
        List<String> columns = List.of("name", "tags");
        Parquet.Table t = Parquet.read(fixture("reader/parquet-java-2level.parquet"), columns);
        assertEquals(List.of(row(columns, "one", List.of("x", "y")), row(columns, "two", null),
                row(columns, "three", List.of())), t.rows());
    }

    @Test
    void columnsOfKindsNotReadAreRefusedOnlyWhenAskedFor() {
        Path file = fixture("reader/unsupported-columns.parquet");
        assertEquals(List.of(Map.of("ok", "kept")), Parquet.read(file, List.of("ok")).rows());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parquet.read(file, List.of("ok", "dec")));
        assertTrue(e.getMessage().contains("unsupported-columns.parquet: column 'dec': DECIMAL values are not read"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Parquet.read(file, List.of("st")));
        assertTrue(e.getMessage().contains("column 'st' is a struct or map; Lethe reads columns of strings, numbers "
                + "and booleans, and lists of them"), e.getMessage());
    }

    @Test
    void aCodecNotReadIsRefusedNamingTheFileTheColumnAndTheCodecsRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parquet.read(fixture("reader/brotli.parquet"), List.of("s")));
        assertTrue(e.getMessage().contains("brotli.parquet: column 's', row group 0: compression BROTLI is not "
                + "supported; Lethe reads UNCOMPRESSED, SNAPPY, GZIP and ZSTD"), e.getMessage());
    }
}
