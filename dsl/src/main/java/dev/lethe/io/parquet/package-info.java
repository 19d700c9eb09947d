/**
 * A small reader of Apache Parquet files, in Java only (no Hadoop, no native library): the hub's benchmark files
 * (WMDP, MMLU, MUSE) as {@code datasets} and pyarrow write them. {@link dev.lethe.io.parquet.Parquet} is the entry
 * point; the rest is package-private: the footer's Thrift compact protocol ({@code Thrift}), the schema
 * ({@code Schema}), a column chunk's pages ({@code ColumnChunks}), their decompression ({@code Codecs},
 * {@code Snappy}) and value encodings ({@code Hybrid}, {@code Delta}).
 *
 * <p>Format: <a href="https://github.com/apache/parquet-format">apache/parquet-format</a> ({@code parquet.thrift},
 * {@code Encodings.md}, {@code LogicalTypes.md}); Thrift's compact protocol:
 * {@code thrift/doc/specs/thrift-compact-protocol.md}; Snappy: {@code google/snappy/format_description.txt}.
 */
@NullMarked
package dev.lethe.io.parquet;

import org.jspecify.annotations.NullMarked;
